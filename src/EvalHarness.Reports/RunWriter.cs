using EvalHarness.Core.Results;
using EvalHarness.Reports.Csv;
using EvalHarness.Reports.Html;
using EvalHarness.Reports.Json;

namespace EvalHarness.Reports;

/// <summary>Writes every output of a run under <c>&lt;reports&gt;/runs/&lt;run-id&gt;/</c>.</summary>
public static class RunWriter
{
    /// <summary>Writes results.json, cases.csv and report.html, and returns the run's folder.</summary>
    public static async Task<string> WriteAsync(RunResult run, string reportsDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var directory = Path.GetFullPath(Path.Combine(reportsDirectory, "runs", run.RunId));
        Directory.CreateDirectory(directory);
        await ResultsJson.WriteAsync(run, Path.Combine(directory, "results.json"), cancellationToken);
        await CaseCsvWriter.WriteAsync(run, Path.Combine(directory, "cases.csv"), cancellationToken);
        await HtmlReportWriter.WriteAsync(run, Path.Combine(directory, "report.html"), cancellationToken);
        return directory;
    }
}
