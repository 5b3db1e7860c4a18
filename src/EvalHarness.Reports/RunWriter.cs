using EvalHarness.Core.Results;
using EvalHarness.Reports.Charts;
using EvalHarness.Reports.Csv;
using EvalHarness.Reports.Html;
using EvalHarness.Reports.Json;
using EvalHarness.Reports.Junit;
using EvalHarness.Reports.Markdown;

namespace EvalHarness.Reports;

/// <summary>Writes a run's folder, <c>&lt;reports&gt;/runs/&lt;run-id&gt;/</c>: results.json and every report built from it.</summary>
public static class RunWriter
{
    /// <summary>The reports built from <c>results.json</c>, as written into a run folder.</summary>
    public static IReadOnlyList<string> ReportFiles { get; } = ["cases.csv", "summary.md", "junit.xml", "report.html"];

    /// <summary>Writes the run of a context without baseline, gate or history; returns the run's folder.</summary>
    public static Task<string> WriteAsync(RunResult run, string reportsDirectory, CancellationToken cancellationToken = default) =>
        WriteAsync(ReportContext.Create(run), reportsDirectory, cancellationToken);

    /// <summary>Writes results.json and the reports, and returns the run's folder.</summary>
    public static async Task<string> WriteAsync(ReportContext context, string reportsDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var directory = FolderOf(context.Run, reportsDirectory);
        Directory.CreateDirectory(directory);
        // results.json and the reports are independent: written side by side, and each one whole or not at all.
        await Task.WhenAll(
            Task.Run(() => ResultsJson.WriteAsync(context.Run, Path.Combine(directory, "results.json"), cancellationToken), cancellationToken),
            WriteReportsAsync(context, directory, cancellationToken));
        return directory;
    }

    /// <summary>
    /// (Re)writes the reports built from results.json (<see cref="ReportFiles"/>, gate.json when gated, and the PNG and
    /// SVG charts under charts/) into <paramref name="directory"/>.
    /// </summary>
    public static async Task WriteReportsAsync(ReportContext context, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Gate is { } gate)
        {
            await GateJson.WriteAsync(gate, Path.Combine(directory, GateJson.FileName), cancellationToken);
        }

        // The page is the largest and the charts the slowest (the first render loads Skia): each starts on its own while
        // the smaller files are written one after another.
        var html = Task.Run(() => HtmlReportWriter.WriteAsync(context, Path.Combine(directory, "report.html"), cancellationToken), cancellationToken);
        var charts = Task.Run(() => RunCharts.WriteAsync(context, directory, cancellationToken), cancellationToken);
        try
        {
            await CaseCsvWriter.WriteAsync(context.Run, Path.Combine(directory, "cases.csv"), cancellationToken);
            await SummaryMarkdown.WriteAsync(context, Path.Combine(directory, "summary.md"), cancellationToken);
            await JunitXml.WriteAsync(context.Run, Path.Combine(directory, "junit.xml"), cancellationToken);
        }
        finally
        {
            await Task.WhenAll(html, charts);
        }
    }

    /// <summary>The folder of a run.</summary>
    public static string FolderOf(RunResult run, string reportsDirectory)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Path.GetFullPath(Path.Combine(reportsDirectory, "runs", run.RunId));
    }
}
