using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Csv;

/// <summary>Writes <c>cases.csv</c>: one row per case, the metrics a spreadsheet or a notebook wants, in snake_case columns for tools outside .NET.</summary>
public static class CaseCsvWriter
{
    /// <summary>The columns, in order.</summary>
    internal static readonly string[] Columns =
    [
        "run_id", "suite", "variant", "scenario", "trial", "model", "passed", "outcome", "steps", "tool_calls", "tool_errors",
        "input_tokens", "output_tokens", "cost_usd", "model_latency_ms", "harness_ms", "latency_ms", "tags", "failed_assertions", "error",
    ];

    /// <summary>Writes the run's cases.</summary>
    public static Task WriteAsync(RunResult run, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var csv = new CsvText().Header(Columns);
        foreach (var c in run.Cases)
        {
            // Model output lands in these cells: CsvText escapes what a spreadsheet would run as a formula.
            csv.Text(run.RunId).Text(c.Suite).Text(c.Variant).Text(c.Scenario).Value(c.Trial).Text(c.Model).Value(c.Passed).Text(c.Outcome)
                .Value(c.Steps).Value(c.ToolCallCount).Value(c.ToolErrors).Value(c.InputTokens).Value(c.OutputTokens).Value(c.CostUsd)
                .Value(c.ModelLatencyMs).Value(c.HarnessMs).Value(c.LatencyMs).Text(string.Join(';', c.Tags))
                .Text(string.Join(" | ", c.Verdicts.Where(v => !v.Passed).Select(v => v.Reason))).Text(c.Error).EndLine();
        }

        return AtomicFile.WriteBytesAsync(path, csv.ToUtf8(), cancellationToken);
    }
}
