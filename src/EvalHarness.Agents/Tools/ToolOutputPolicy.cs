namespace EvalHarness.Agents.Tools;

/// <summary>How tool results are cleaned before the model sees them.</summary>
public sealed record ToolOutputPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A budget below 64 characters.</exception>
    public ToolOutputPolicy(int maxChars = 4000, bool neutralizeInjections = true)
    {
        if (maxChars < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(maxChars), maxChars, "tool_output.max_chars must be at least 64.");
        }

        MaxChars = maxChars;
        NeutralizeInjections = neutralizeInjections;
    }

    /// <summary>The most characters of a result the model sees; the rest is cut with a note.</summary>
    public int MaxChars { get; }

    /// <summary>Whether instruction-like text in results is neutralised and results are wrapped as data.</summary>
    public bool NeutralizeInjections { get; }
}
