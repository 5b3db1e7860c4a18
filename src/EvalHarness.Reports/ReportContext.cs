using EvalHarness.Core.Comparison;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Reports.History;

namespace EvalHarness.Reports;

/// <summary>
/// Everything a run's reports show: the run, and where there are, its baseline, its gate verdict and the suite's
/// history up to the run. The comparison, the flaky scenarios and the trend are worked out once, here.
/// </summary>
public sealed class ReportContext
{
    private ReportContext(RunResult run, RunResult? baseline, GateResult? gate, RunHistory history, int flakyWindow)
    {
        Run = run;
        Baseline = baseline;
        Gate = gate;
        History = history;
        Flaky = history.Flaky(flakyWindow);
        Comparison = baseline is null ? null : Comparer.Runs(baseline, run, Flaky);
        Trend = history.Trend();
    }

    private ReportContext(ReportContext other, GateResult gate)
    {
        (Run, Baseline, History, Flaky, Comparison, Trend) = (other.Run, other.Baseline, other.History, other.Flaky, other.Comparison, other.Trend);
        Gate = gate;
    }

    /// <summary>The run.</summary>
    public RunResult Run { get; }

    /// <summary>The run it is compared with, or null.</summary>
    public RunResult? Baseline { get; }

    /// <summary>The gate's verdict, or null when the run was not gated.</summary>
    public GateResult? Gate { get; }

    /// <summary>The suite's runs up to this one.</summary>
    public RunHistory History { get; }

    /// <summary>Scenarios (<c>variant/scenario</c>) that flip between pass and fail in recent runs.</summary>
    public IReadOnlySet<string> Flaky { get; }

    /// <summary>The run against its baseline, or null without one.</summary>
    public RunComparison? Comparison { get; }

    /// <summary>A point per variant per recent run, oldest first.</summary>
    public IReadOnlyList<TrendPoint> Trend { get; }

    /// <summary>The same context with the gate's verdict.</summary>
    public ReportContext WithGate(GateResult gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return new ReportContext(this, gate);
    }

    /// <summary>Builds the context from history rows already read.</summary>
    public static ReportContext Create(RunResult run, RunResult? baseline = null, GateResult? gate = null, IEnumerable<HistoryEntry>? history = null, int flakyWindow = RunHistory.FlakyWindow)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (baseline is not null && baseline.Suite != run.Suite)
        {
            throw new ArgumentException($"The baseline {baseline.RunId} is a run of the suite '{baseline.Suite}', not '{run.Suite}': compare runs of one suite.", nameof(baseline));
        }

        return new ReportContext(run, baseline, gate, new RunHistory(history ?? []), flakyWindow);
    }

    /// <summary>Builds the context, reading the suite's history from <c>&lt;reports&gt;/history/&lt;suite key&gt;.csv</c> up to the run's start.</summary>
    public static async Task<ReportContext> LoadAsync(
        RunResult run, string reportsDirectory, RunResult? baseline = null, GateResult? gate = null, int flakyWindow = RunHistory.FlakyWindow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var history = await HistoryFile.ReadAsync(
            HistoryFile.PathFor(reportsDirectory, SuiteKeys.Of(run, reportsDirectory)), run.Suite, run.StartedAt, Math.Max(RunHistory.TrendRuns, flakyWindow), cancellationToken);
        return Create(run, baseline, gate, history, flakyWindow);
    }
}
