using System.Globalization;
using CsvHelper;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Csv;

/// <summary>Writes <c>cases.csv</c>: one row per case, the metrics a spreadsheet or a notebook wants.</summary>
public static class CaseCsvWriter
{
    /// <summary>Writes the run's cases.</summary>
    public static Task WriteAsync(RunResult run, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async stream =>
        {
            // Model output lands in these cells: escape what a spreadsheet would run as a formula.
            await using var csv = CsvWriter.Create(stream, new CsvWriterOptions { Injection = CsvInjection.Escape, FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true);
            await csv.WriteRecordsAsync(run.Cases.Select(c => new CaseRow
            {
                RunId = run.RunId,
                Suite = c.Suite,
                Variant = c.Variant,
                Scenario = c.Scenario,
                Trial = c.Trial,
                Model = c.Model,
                Passed = c.Passed,
                Outcome = c.Outcome,
                Steps = c.Steps,
                ToolCalls = c.ToolCallCount,
                ToolErrors = c.ToolErrors,
                InputTokens = c.InputTokens,
                OutputTokens = c.OutputTokens,
                CostUsd = c.CostUsd,
                ModelLatencyMs = c.ModelLatencyMs,
                HarnessMs = c.HarnessMs,
                LatencyMs = c.LatencyMs,
                Tags = string.Join(';', c.Tags),
                FailedAssertions = string.Join(" | ", c.Verdicts.Where(v => !v.Passed).Select(v => v.Reason)),
                Error = c.Error ?? string.Empty,
            }), cancellationToken);
            await csv.FlushAsync(cancellationToken);
        }, cancellationToken);
}
