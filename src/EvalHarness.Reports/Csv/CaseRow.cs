using CsvHelper;

namespace EvalHarness.Reports.Csv;

/// <summary>One row of <c>cases.csv</c>; the column names are snake_case for tools outside .NET.</summary>
[CsvRecord]
internal sealed partial class CaseRow
{
    [CsvColumn("run_id")] public required string RunId { get; init; }
    [CsvColumn("suite")] public required string Suite { get; init; }
    [CsvColumn("variant")] public required string Variant { get; init; }
    [CsvColumn("scenario")] public required string Scenario { get; init; }
    [CsvColumn("trial")] public required int Trial { get; init; }
    [CsvColumn("model")] public required string Model { get; init; }
    [CsvColumn("passed")] public required bool Passed { get; init; }
    [CsvColumn("outcome")] public required string Outcome { get; init; }
    [CsvColumn("steps")] public required int Steps { get; init; }
    [CsvColumn("tool_calls")] public required int ToolCalls { get; init; }
    [CsvColumn("tool_errors")] public required int ToolErrors { get; init; }
    [CsvColumn("input_tokens")] public required long InputTokens { get; init; }
    [CsvColumn("output_tokens")] public required long OutputTokens { get; init; }
    [CsvColumn("cost_usd")] public required decimal? CostUsd { get; init; }
    [CsvColumn("model_latency_ms")] public required double ModelLatencyMs { get; init; }
    [CsvColumn("harness_ms")] public required double HarnessMs { get; init; }
    [CsvColumn("latency_ms")] public required double LatencyMs { get; init; }
    [CsvColumn("tags")] public required string Tags { get; init; }
    [CsvColumn("failed_assertions")] public required string FailedAssertions { get; init; }
    [CsvColumn("error")] public required string Error { get; init; }
}
