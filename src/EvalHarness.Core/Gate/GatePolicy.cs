namespace EvalHarness.Core.Gate;

/// <summary>
/// What a run must meet to pass the release gate. Every threshold is optional; <see cref="Default"/> is what
/// <c>evalh gate</c> applies without a policy file. Loaded and validated by <see cref="GatePolicyLoader"/>.
/// </summary>
public sealed record GatePolicy
{
    /// <summary>The file the policy came from, or <c>built-in</c>.</summary>
    public string Source { get; init; } = "built-in";

    /// <summary>Only these variants are gated; empty for all.</summary>
    public IReadOnlyList<string> Variants { get; init; } = [];

    /// <summary>The lowest success rate (0–1) of the gated cases.</summary>
    public double? MinSuccessRate { get; init; }

    /// <summary>The lowest success rate (0–1) of the cases that carry each tag.</summary>
    public IReadOnlyDictionary<string, double> MinSuccessRateByTag { get; init; } = new Dictionary<string, double>();

    /// <summary>The largest drop of the success rate against the baseline, in percentage points, that the gate lets through when the drop is significant.</summary>
    public double? MaxSuccessDropPoints { get; init; }

    /// <summary>The significance level below which a drop counts: a drop whose p-value is not below it is treated as noise.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Whether every case of a scenario marked <c>critical: true</c> must pass.</summary>
    public bool CriticalMustPass { get; init; } = true;

    /// <summary>The largest rise of the cost per case against the baseline, in percent.</summary>
    public double? MaxCostIncreasePercent { get; init; }

    /// <summary>The largest rise of the p95 latency against the baseline, in percent.</summary>
    public double? MaxP95LatencyIncreasePercent { get; init; }

    /// <summary>The largest share (0–1) of tool calls that may name a tool the agent does not have.</summary>
    public double? MaxUnknownToolRate { get; init; }

    /// <summary>The largest share (0–1) of cases that may end in an error (a cassette miss, a timeout).</summary>
    public double? MaxErrorRate { get; init; }

    /// <summary>How many recent runs the history looks at to find flaky scenarios.</summary>
    public int FlakyWindow { get; init; } = 10;

    /// <summary>
    /// Without a policy file: critical scenarios must pass, no case may end in an error, and the success rate
    /// may not drop significantly against the baseline.
    /// </summary>
    public static GatePolicy Default { get; } = new() { MaxSuccessDropPoints = 0, MaxErrorRate = 0 };
}
