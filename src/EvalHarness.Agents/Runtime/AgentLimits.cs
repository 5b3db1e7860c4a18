namespace EvalHarness.Agents.Runtime;

/// <summary>The guards a run stops at. Validated when built.</summary>
public sealed record AgentLimits
{
    /// <summary>Creates limits; every value must be positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is zero or negative.</exception>
    public AgentLimits(int maxSteps = 10, long? maxTokens = null, decimal? maxCostUsd = null, TimeSpan? timeout = null)
    {
        if (maxSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "max_steps must be at least 1.");
        }

        if (maxTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "max_tokens must be positive.");
        }

        if (maxCostUsd is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCostUsd), maxCostUsd, "max_cost_usd must be positive.");
        }

        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "timeout_s must be positive.");
        }

        MaxSteps = maxSteps;
        MaxTokens = maxTokens;
        MaxCostUsd = maxCostUsd;
        Timeout = timeout;
    }

    /// <summary>The most model calls (steps) a run may make.</summary>
    public int MaxSteps { get; }

    /// <summary>The most input plus output tokens, or null for no budget.</summary>
    public long? MaxTokens { get; }

    /// <summary>The most money in USD, or null for no budget.</summary>
    public decimal? MaxCostUsd { get; }

    /// <summary>The wall-clock limit of a run, or null for none.</summary>
    public TimeSpan? Timeout { get; }
}
