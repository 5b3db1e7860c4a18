using System.CommandLine;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.Markdown;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// What every command that writes a run's reports shares: find the baseline (the one named, else the suite's blessed
/// one), read the history, gate when a policy is given, write, and tell GitHub Actions' step summary.
/// </summary>
internal static class ReportPipeline
{
    /// <summary>Builds the context of a run's reports (see <see cref="RunReports.BuildAsync"/>).</summary>
    public static Task<ReportContext> BuildAsync(
        RunResult run, string reportsDirectory, string? baseline, GatePolicy? policy, GateResult? gate, CancellationToken cancellationToken) =>
        RunReports.BuildAsync(run, reportsDirectory, baseline, policy, gate, cancellationToken);

    /// <summary>Appends a run to the history (see <see cref="RunReports.AppendHistoryAsync"/>).</summary>
    public static Task AppendHistoryAsync(RunResult run, string reportsDirectory, CancellationToken cancellationToken) =>
        RunReports.AppendHistoryAsync(run, reportsDirectory, cancellationToken);

    /// <summary>Loads a policy file, or the built-in policy when <paramref name="path"/> is null.</summary>
    public static GatePolicy Policy(string? path) => path is null ? GatePolicy.Default : GatePolicyLoader.Load(path);

    /// <summary>Inside a GitHub Actions job, appends the run's summary to the job's page.</summary>
    public static async Task AppendStepSummaryAsync(ReportContext context, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY") is { Length: > 0 } path)
        {
            await File.AppendAllTextAsync(path, SummaryMarkdown.Render(context) + "\n", cancellationToken);
        }
    }

    /// <summary>The run a command names (a folder, a results file or <c>latest</c>), its file, and the reports folder it belongs to.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="InvalidDataException">The file is not a results file.</exception>
    public static async Task<(RunResult Run, string File, string ReportsDirectory)> OpenAsync(string reference, string? reportsDirectory, CancellationToken cancellationToken)
    {
        var (run, file) = await RunLocator.ReadAsync(reference, reportsDirectory ?? "reports", cancellationToken);
        return (run, file, ReportsFolder(reportsDirectory, file));
    }

    /// <summary>The <c>run</c> argument of the commands that read a finished run.</summary>
    public static Argument<string> RunArgument(string what) => new("run") { Description = $"{what}: a run folder (reports/runs/<id>), its results.json, or latest." };

    /// <summary>The <c>--reports</c> option of the commands that read a finished run.</summary>
    public static Option<string?> ReportsOption() => new("--reports")
    {
        Description = "The reports folder that holds history/ and baselines/ (default: the one the run is in, else reports).",
    };

    /// <summary>The <c>--baseline</c> option of the commands that read a finished run.</summary>
    public static Option<string?> BaselineOption() => new("--baseline")
    {
        Description = "The run to compare with: a run folder, results.json, baseline file or latest (default: the suite's blessed baseline, if any).",
    };

    /// <summary>
    /// The reports folder of a run named on the command line: the one given, else the folder the run lives in
    /// (<c>&lt;reports&gt;/runs/&lt;id&gt;/results.json</c>), else <c>reports</c>.
    /// </summary>
    private static string ReportsFolder(string? given, string? resultsFile)
    {
        if (given is not null)
        {
            return given;
        }

        var runFolder = resultsFile is null ? null : Path.GetDirectoryName(Path.GetFullPath(resultsFile));
        var runs = runFolder is null ? null : Path.GetDirectoryName(runFolder);
        return runs is not null && Path.GetFileName(runs) == "runs" ? Path.GetDirectoryName(runs)! : "reports";
    }
}
