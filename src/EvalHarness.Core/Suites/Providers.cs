using EvalHarness.Cassettes.Protocols;

namespace EvalHarness.Core.Suites;

/// <summary>How a suite names a model: <c>provider:model</c>, the provider one of the wire protocols the harness speaks (<see cref="WireProtocols"/>).</summary>
public static class Providers
{
    /// <summary>The providers whose wire protocol the harness speaks.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. WireProtocols.All.Select(p => p.Name)];

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
