namespace EvalHarness.Core.Suites;

/// <summary>A model as a suite names it: <c>provider:model</c>, the wire protocol and the model id.</summary>
public readonly record struct ModelRef(string Provider, string Model)
{
    /// <summary>The providers whose wire protocol the harness speaks.</summary>
    public static IReadOnlyList<string> Providers { get; } = ["openai", "anthropic"];

    /// <summary>Where a provider is reached live, and the environment variable that holds its key.</summary>
    public static IReadOnlyDictionary<string, (string Url, string KeyVariable)> Live { get; } = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["openai"] = ("https://api.openai.com/", "OPENAI_API_KEY"),
        ["anthropic"] = ("https://api.anthropic.com/", "ANTHROPIC_API_KEY"),
    };

    /// <summary>
    /// Stands in for the model of a process agent whose suite names none: the agent chooses its own, and the provider
    /// and model of each call are read from its recorded traffic (the request's path and its <c>model</c> field). A
    /// judge or a simulated user, called through OpenAI's protocol, then names its own model.
    /// </summary>
    public static ModelRef ChosenByTheAgent { get; } = new("openai", "chosen-by-the-agent");

    /// <summary>Whether this is <see cref="ChosenByTheAgent"/>: the suite names no model.</summary>
    public bool IsChosenByTheAgent => this == ChosenByTheAgent;

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
        if (!Providers.Contains(provider))
        {
            error = $"provider '{provider}' is not supported; use one of: {string.Join(", ", Providers)}.";
            return false;
        }

        model = new ModelRef(provider, text[(colon + 1)..]);
        error = string.Empty;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Provider}:{Model}";
}
