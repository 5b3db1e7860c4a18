using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>A mapping's known keys by name, and the keys its misspelt ones seem to mean.</summary>
internal sealed class KeyMap : Dictionary<string, (YamlScalarNode Key, YamlNode Value)>
{
    public KeyMap()
        : base(StringComparer.Ordinal)
    {
    }

    /// <summary>
    /// By the key suggested, the error already reported for the misspelt one: a required key missing because of a typo is
    /// that error again (counted once), not a second one.
    /// </summary>
    public Dictionary<string, SuiteException> Misspelt { get; } = new(StringComparer.Ordinal);
}
