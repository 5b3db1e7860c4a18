using EvalHarness.Core.Comparison;
using EvalHarness.Core.Results;
using EvalHarness.Reports.History;

namespace EvalHarness.Reports;

/// <summary>
/// Two runs of one suite side by side, by the rules <c>evalh compare</c>, the gate and <c>evalh view</c> share: scenarios
/// flaky as the history saw them when the later run started, and the gate's drop rule (<see cref="RunComparison.DropCounts"/>).
/// </summary>
internal static class RunPairs
{
    /// <summary>The significance level when none is named.</summary>
    public const double Alpha = 0.05;

    /// <summary>The scenarios (<c>variant/scenario</c>) flaky as the suite's history saw them when the later of two runs started.</summary>
    /// <exception cref="InvalidDataException">The history cannot be read.</exception>
    public static async Task<IReadOnlySet<string>> FlakyAsync(RunResult first, RunResult second, string reportsDirectory, CancellationToken cancellationToken = default)
    {
        var until = second.StartedAt > first.StartedAt ? second.StartedAt : first.StartedAt;
        var history = await HistoryFile.ReadAsync(
            HistoryFile.PathFor(reportsDirectory, SuiteKeys.Of(first, reportsDirectory)), first.Suite, until, RunHistory.FlakyWindow, cancellationToken);
        return new RunHistory(history).Flaky();
    }

    /// <summary>Compares run B with run A, its base.</summary>
    /// <exception cref="ArgumentException">The runs are of two suites.</exception>
    /// <exception cref="InvalidDataException">The history cannot be read.</exception>
    public static async Task<RunComparison> CompareAsync(RunResult a, RunResult b, string reportsDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Suite != b.Suite)
        {
            throw new ArgumentException($"{a.RunId} is a run of the suite '{a.Suite}' and {b.RunId} of '{b.Suite}': compare runs of one suite.");
        }

        if (a.RunId == b.RunId)
        {
            throw new ArgumentException($"{a.RunId} is named twice: compare a run with another run of its suite.");
        }

        if ((a.Cases.Count == 0 ? a : b.Cases.Count == 0 ? b : null) is { } empty)
        {
            throw new ArgumentException($"{empty.RunId} has no case ({empty.Interrupted ?? "no case finished"}): nothing to compare. Pick a run whose cases ran.");
        }

        return Comparer.Runs(a, b, await FlakyAsync(a, b, reportsDirectory, cancellationToken));
    }
}
