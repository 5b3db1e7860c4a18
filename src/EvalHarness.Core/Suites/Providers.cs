namespace EvalHarness.Core.Suites;

/// <summary>The providers whose wire protocol the harness speaks, where each is reached live, and how a suite names a model.</summary>
public static class Providers
{
    /// <summary>The providers whose wire protocol the harness speaks.</summary>
    public static IReadOnlyList<string> Names { get; } = ["openai", "anthropic"];

    /// <summary>Where a provider is reached live, and the environment variable that holds its key.</summary>
    public static IReadOnlyDictionary<string, (string Url, string KeyVariable)> Live { get; } = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["openai"] = ("https://api.openai.com/", "OPENAI_API_KEY"),
        ["anthropic"] = ("https://api.anthropic.com/", "ANTHROPIC_API_KEY"),
    };

    /// <summary>Parses <c>provider:model</c>, or returns an error message.</summary>
    public static bool TryParse(string text, out ModelRef model, out string error)
    {
        model = default;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"model '{text}' must be written provider:model, e.g. openai:gpt-4o-mini.";
            return false;
        }

        var provider = text[..colon];
        if (!Names.Contains(provider))
        {
            error = $"provider '{provider}' is not supported; use one of: {string.Join(", ", Names)}.";
            return false;
        }

        model = new ModelRef(provider, text[(colon + 1)..]);
        error = string.Empty;
        return true;
    }
}
