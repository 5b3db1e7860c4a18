using EvalHarness.Core.Application;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports;

/// <summary>
/// Publishes a run as <c>evalh run</c> does: a row per case in the suite's history, the reports in
/// <c>&lt;reports&gt;/runs/&lt;run-id&gt;/</c>, compared with the baseline and gated when the plan has a policy.
/// </summary>
public sealed class ReportPublisher : IRunPublisher, IRunProgress
{
    private readonly TimeProvider _time;

    /// <summary>A publisher on the system clock.</summary>
    public ReportPublisher()
        : this(TimeProvider.System)
    {
    }

    /// <summary>A publisher whose progress files are stamped by <paramref name="time"/>.</summary>
    public ReportPublisher(TimeProvider time) => _time = time ?? throw new ArgumentNullException(nameof(time));

    /// <summary>The context the last run's reports were built from (for a front end that prints a summary); null before one.</summary>
    public ReportContext? Context { get; private set; }

    /// <inheritdoc />
    public void Check(EvaluationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Options.Baseline is { } baseline)
        {
            RunLocator.Resolve(baseline, plan.Options.ReportsDirectory);
        }
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">
    /// The baseline or history could not be read. The run's results are written first, and the message says where and how
    /// to rebuild its reports once that is fixed.
    /// </exception>
    public async Task<PublishedRun> PublishAsync(RunResult run, EvaluationPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        var reports = plan.Options.ReportsDirectory;
        Charts.RunCharts.WarmUp();

        // From here on the run is finished: whatever happens, its results are written.
        await RunReports.AppendHistoryAsync(run, reports, cancellationToken);
        ReportContext context;
        try
        {
            context = await RunReports.BuildAsync(run, reports, plan.Options.Baseline, plan.Policy, gate: null, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or ArgumentException)
        {
            var saved = await RunWriter.WriteAsync(run, reports, cancellationToken);
            File.Delete(RunProgressFile.PathFor(reports, run.RunId));
            throw new InvalidDataException(
                $"{InputMessages.Of(ex)}\n"
                + $"The run's results are in {saved}; once that is fixed, rebuild its reports with `evalh report {saved}`.", ex);
        }

        var directory = await RunWriter.WriteAsync(context, reports, cancellationToken);
        File.Delete(RunProgressFile.PathFor(reports, run.RunId)); // the results say it all now
        Context = context;
        return new PublishedRun(directory, context.Gate);
    }

    /// <inheritdoc />
    /// <remarks>Kept in <c>runs/&lt;run-id&gt;/progress.json</c>; a file that cannot be written costs the viewer its live page, never the run.</remarks>
    public void Report(EvaluationPlan plan, RunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        try
        {
            var reports = plan.Options.ReportsDirectory;
            var path = RunProgressFile.PathFor(reports, progress.RunId);
            if (progress is { Error: not null, Done: 0 })
            {
                // It failed before a case finished (a service that did not start): nothing to show, so no folder left behind.
                File.Delete(path);
                DeleteIfEmpty(Path.GetDirectoryName(path)!);
                return;
            }

            RunProgressFile.Write(path, progress, SuiteKeys.For(plan.Suite.FilePath, reports), _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run goes on: its results are what matter, and they are written at its end as always.
        }
    }

    private static void DeleteIfEmpty(string directory)
    {
        if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
        }
    }
}
