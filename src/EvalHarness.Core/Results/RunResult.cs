namespace EvalHarness.Core.Results;

/// <summary>Everything one run of a suite produced.</summary>
public sealed record RunResult
{
    /// <summary>The run's id, also its folder name under <c>reports/runs/</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The suite's name.</summary>
    public required string Suite { get; init; }

    /// <summary>The suite file.</summary>
    public required string SuiteFile { get; init; }

    /// <summary>replay or record.</summary>
    public required string Mode { get; init; }

    /// <summary>When the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Wall time of the whole run.</summary>
    public required double DurationMs { get; init; }

    /// <summary>The version of the prices the costs use.</summary>
    public required string PricingVersion { get; init; }

    /// <summary>Set when the run was stopped before every case ran: what happened. The results hold the finished cases.</summary>
    public string? Interrupted { get; init; }

    /// <summary>The commit and branch the run was made from, when known.</summary>
    public GitInfo? Git { get; init; }

    /// <summary>
    /// When the run was narrowed with <c>--filter</c> or <c>--variant</c>, how (e.g. <c>--filter tag:refund --variant haiku</c>);
    /// null for every case of the suite. A narrowed run is not appended to the history and cannot be blessed.
    /// </summary>
    public string? Selection { get; init; }

    /// <summary>For a shard of a split run, <c>i/n</c>; null for a whole run (or a merged one).</summary>
    public string? Shard { get; init; }

    /// <summary>Headline numbers.</summary>
    public required RunSummary Summary { get; init; }

    /// <summary>Aggregates by variant, by scenario under each variant, and by tag.</summary>
    public IReadOnlyList<Statistics.GroupSummary> Groups { get; init; } = [];

    /// <summary>Every case, in suite order: variant, then scenario, then trial.</summary>
    public required IReadOnlyList<CaseResult> Cases { get; init; }
}
