using CsvHelper;

namespace EvalHarness.Reports.History;

/// <summary>One row of <c>reports/history.csv</c>: one case of one run, snake_case columns for tools outside .NET.</summary>
[CsvRecord]
internal sealed partial class HistoryRow
{
    [CsvColumn("run_id")] public required string RunId { get; init; }
    [CsvColumn("started_at")] public required string StartedAt { get; init; }
    [CsvColumn("suite")] public required string Suite { get; init; }
    [CsvColumn("variant")] public required string Variant { get; init; }
    [CsvColumn("scenario")] public required string Scenario { get; init; }
    [CsvColumn("trial")] public required int Trial { get; init; }
    [CsvColumn("passed")] public required bool Passed { get; init; }
    [CsvColumn("error")] public required bool Error { get; init; }
    [CsvColumn("steps")] public required int Steps { get; init; }
    [CsvColumn("input_tokens")] public required long InputTokens { get; init; }
    [CsvColumn("output_tokens")] public required long OutputTokens { get; init; }
    [CsvColumn("cost_usd")] public required decimal? CostUsd { get; init; }
    [CsvColumn("latency_ms")] public required double LatencyMs { get; init; }
    [CsvColumn("git_commit")] public required string GitCommit { get; init; }
    [CsvColumn("git_branch")] public required string GitBranch { get; init; }
}
