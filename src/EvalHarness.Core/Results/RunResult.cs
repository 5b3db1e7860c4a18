namespace EvalHarness.Core.Results;

/// <summary>Everything one run of a suite produced.</summary>
public sealed record RunResult
{
    /// <summary>How results.json is written and read: camelCase, indented, nulls skipped, enums by name, text unescaped.</summary>
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<RunResult> JsonTypeInfo => ResultsJsonContext.Relaxed.RunResult;

    /// <summary>The run's id, also its folder name under <c>reports/runs/</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The suite's name.</summary>
    public required string Suite { get; init; }

    /// <summary>The suite file.</summary>
    public required string SuiteFile { get; init; }

    /// <summary>
    /// Where the suite lives, as its baseline and history are keyed: the suite file's path relative to the folder that
    /// holds the reports folder, without its extension, with <c>/</c> between folders (e.g. <c>suites/support</c>). Two
    /// suites named alike in different folders have different keys. Set when the run's reports are first written.
    /// </summary>
    public string? SuiteKey { get; init; }

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

    /// <summary>
    /// Every case, in suite order: variant, then scenario, then trial. When <see cref="Spool"/> is set, without
    /// their transcripts, tool calls and traces: read a case whole with <see cref="WithDetails"/>.
    /// </summary>
    public required IReadOnlyList<CaseResult> Cases { get; init; }

    /// <summary>Where the cases' details are kept while the run is reported, when not in <see cref="Cases"/>; never written.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal CaseSpool? Spool { get; init; }

    /// <summary>Whether the cases' details are kept apart (a large run): read each case whole with <see cref="WithDetails"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSpooled => Spool is not null;

    /// <summary>A case of this run whole: with its transcript, tool calls and trace, read back from the spool when the run has one.</summary>
    public CaseResult WithDetails(CaseResult c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Spool?.Read(c.Index) ?? c;
    }

    /// <summary>The cases whole, one at a time, in order: what results.json holds.</summary>
    public IEnumerable<CaseResult> CasesWithDetails() => Spool is null ? Cases : Cases.Select(WithDetails);
}
