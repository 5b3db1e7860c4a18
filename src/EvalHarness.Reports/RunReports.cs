using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Baselines;
using EvalHarness.Reports.History;

namespace EvalHarness.Reports;

/// <summary>
/// What every writer of a run's reports shares, the CLI and <see cref="Evaluation"/> alike: find the baseline (the one
/// named, else the suite's blessed one), read the history, gate when a policy is given, and append to the history.
/// </summary>
public static class RunReports
{
    /// <summary>Builds the context of a run's reports. <paramref name="policy"/> null keeps <paramref name="gate"/> as it is.</summary>
    /// <exception cref="FileNotFoundException">The named baseline is not there.</exception>
    /// <exception cref="InvalidDataException">The baseline or history cannot be read.</exception>
    /// <exception cref="ArgumentException">The baseline is of another suite, or the policy names a variant the run lacks.</exception>
    public static async Task<ReportContext> BuildAsync(
        RunResult run, string reportsDirectory, string? baseline, GatePolicy? policy, GateResult? gate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        run = SuiteKeys.Keyed(run, reportsDirectory);
        RunResult? against;
        string source;
        if (baseline is not null)
        {
            (against, source) = await RunLocator.ReadAsync(baseline, reportsDirectory, cancellationToken);
        }
        else
        {
            (against, source) = (await BaselineStore.FindAsync(reportsDirectory, run.SuiteKey!, cancellationToken), BaselineStore.PathFor(reportsDirectory, run.SuiteKey!));
        }

        if (against is not null && against.Suite != run.Suite)
        {
            throw new InvalidDataException(
                $"{source}: the baseline is a run of the suite '{against.Suite}', not '{run.Suite}'. Bless a run of {run.Suite} with `evalh baseline bless <run>`, or name one with --baseline.");
        }

        if (against?.RunId == run.RunId)
        {
            against = null; // the baseline run itself: nothing to compare with
        }

        var window = policy?.FlakyWindow ?? RunHistory.FlakyWindow;
        var context = await ReportContext.LoadAsync(run, reportsDirectory, against, gate, window, cancellationToken);
        return policy is null ? context : context.WithGate(ReleaseGate.Evaluate(run, against, policy, context.Flaky));
    }

    /// <summary>
    /// Appends a run to the history: whole replays and merged ones; not shards (their merge is appended), nor runs narrowed
    /// with --filter or --variant, whose numbers would make the trends jump, nor recordings: a recording measures the
    /// provider and the tools as they were that day (one stopped early read as a 0 % run, one with a broken tool marked
    /// its scenario flaky and so out of the gate's drop rule), and the replays of what it recorded are the measurements.
    /// </summary>
    public static Task AppendHistoryAsync(RunResult run, string reportsDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Shard is null && run.Selection is null && run.Mode == "replay" ? HistoryFile.AppendAsync(HistoryFile.PathFor(reportsDirectory, SuiteKeys.Of(run, reportsDirectory)), run, cancellationToken) : Task.CompletedTask;
    }
}
