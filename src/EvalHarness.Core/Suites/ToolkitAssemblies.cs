using System.Text.RegularExpressions;
using EvalHarness.Core.UnderTest;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Suites;

/// <summary>Finds the <see cref="IToolkit"/> implementations of a built assembly a suite lists under <c>toolkits:</c>.</summary>
internal static partial class ToolkitAssemblies
{
    /// <summary>Loads an assembly and creates one instance of each public, non-abstract <see cref="IToolkit"/> with a parameterless constructor.</summary>
    /// <exception cref="ArgumentException">The file is missing, not a .NET assembly, or holds no toolkit; the message says which.</exception>
    public static IReadOnlyList<IToolkit> Load(string path, string shownAs) =>
        [.. AgentAssembly.CreateAll<IToolkit>(
                path,
                $"the toolkit assembly '{shownAs}' does not exist. Build it first (dotnet build), or fix the path (it is relative to the suite).",
                $"'{shownAs}' holds no public {nameof(IToolkit)} with a parameterless constructor.")
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>Checks a loaded toolkit against the built-in ones and those loaded before it: names, tools and fixture keys must not clash.</summary>
    /// <exception cref="ArgumentException">Something clashes or is malformed; the message says what.</exception>
    public static void Check(IToolkit toolkit, IReadOnlyList<IToolkit> loaded)
    {
        ArgumentNullException.ThrowIfNull(toolkit);
        ArgumentNullException.ThrowIfNull(loaded);
        var type = toolkit.GetType().FullName;
        if (toolkit.Name is null || !Identifier().IsMatch(toolkit.Name))
        {
            throw new ArgumentException($"the toolkit {type} is named '{toolkit.Name}': a toolkit's name holds only letters, digits and '_'.");
        }

        if (ToolCatalog.BuiltIn.Concat(loaded).FirstOrDefault(t => t.Name == toolkit.Name) is { } clash)
        {
            throw new ArgumentException($"the toolkit {type} is named '{toolkit.Name}', like {(ToolCatalog.BuiltIn.Contains(clash) ? "a built-in toolkit" : clash.GetType().FullName)}; choose another name.");
        }

        if (toolkit.Tools.Count == 0)
        {
            throw new ArgumentException($"the toolkit '{toolkit.Name}' has no tools.");
        }

        if (toolkit.Tools.FirstOrDefault(t => t.Name is null || !Identifier().IsMatch(t.Name)) is { } badTool)
        {
            throw new ArgumentException($"the toolkit '{toolkit.Name}' has a tool named '{badTool.Name}': a tool's name holds only letters, digits and '_'.");
        }

        if (toolkit.Tools.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"the toolkit '{toolkit.Name}' has two tools named '{twice.Key}'.");
        }

        var taken = FixtureParser.BuiltInKeys.Concat(loaded.SelectMany(t => t.FixtureKeys)).ToList();
        if (toolkit.FixtureKeys.FirstOrDefault(taken.Contains) is { } key)
        {
            throw new ArgumentException($"the toolkit '{toolkit.Name}' reads the fixture key '{key}', which another toolkit reads; choose another key.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex Identifier();
}
