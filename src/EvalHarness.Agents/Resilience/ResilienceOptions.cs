namespace EvalHarness.Agents.Resilience;

/// <summary>How model calls survive transient failures. Validated when built.</summary>
public sealed record ResilienceOptions
{
    /// <summary>Creates options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative retry count or a non-positive duration.</exception>
    public ResilienceOptions(
        int maxRetries = 3,
        TimeSpan? baseDelay = null,
        TimeSpan? maxDelay = null,
        TimeSpan? attemptTimeout = null,
        int breakerMinimumThroughput = 10,
        double breakerFailureRatio = 0.5,
        TimeSpan? breakDuration = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        BaseDelay = Positive(baseDelay ?? TimeSpan.FromMilliseconds(500), "retry.base_delay_ms");
        MaxDelay = Positive(maxDelay ?? TimeSpan.FromSeconds(30), "retry.max_delay_s");
        AttemptTimeout = Positive(attemptTimeout ?? TimeSpan.FromSeconds(60), "retry.attempt_timeout_s");
        BreakDuration = Positive(breakDuration ?? TimeSpan.FromSeconds(30), "retry.break_s");
        if (breakerMinimumThroughput < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(breakerMinimumThroughput), breakerMinimumThroughput, "The circuit breaker needs a minimum throughput of at least 2.");
        }

        if (breakerFailureRatio is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(breakerFailureRatio), breakerFailureRatio, "The circuit breaker's failure ratio must be in (0, 1].");
        }

        MaxRetries = maxRetries;
        BreakerMinimumThroughput = breakerMinimumThroughput;
        BreakerFailureRatio = breakerFailureRatio;
    }

    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetries { get; }

    /// <summary>The first backoff delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>The longest backoff delay (a Retry-After header is honoured up to this too).</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>The limit of one attempt.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>Calls the breaker must see before it can open.</summary>
    public int BreakerMinimumThroughput { get; }

    /// <summary>The share of failed calls that opens the breaker.</summary>
    public double BreakerFailureRatio { get; }

    /// <summary>How long an open breaker rejects calls.</summary>
    public TimeSpan BreakDuration { get; }

    /// <summary>
    /// When true the backoff delays are computed and reported but not waited: a replayed cassette already
    /// holds the failures and the successful retry, so waiting would only slow the run.
    /// </summary>
    public bool SkipDelays { get; init; }

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
}
