using EvalHarness.Core.Statistics;

namespace EvalHarness.Core.Comparison;

/// <summary>
/// Two runs of a suite (or two variants of one run) side by side: the headline numbers of each, whether the
/// success rates differ significantly, and every scenario's change.
/// </summary>
/// <param name="BaseLabel">What the base side is: a run id or a variant.</param>
/// <param name="CurrentLabel">What the current side is.</param>
/// <param name="Base">The base side over the compared cases: the paired ones when there are, else all.</param>
/// <param name="Current">The current side over the compared cases.</param>
/// <param name="Test">The significance test of the success rates.</param>
/// <param name="Scenarios">Every scenario of either side, in the current side's order, then the removed ones.</param>
public sealed record RunComparison(string BaseLabel, string CurrentLabel, SideStats Base, SideStats Current, SuccessTest Test, IReadOnlyList<ScenarioComparison> Scenarios)
{
    /// <summary>
    /// Whether the current side replayed single trials of the same cases as the base: its cassettes answer alike every
    /// time, so a change of the success rate is the change's doing, and no significance test applies (the gate's
    /// <c>max_success_drop_points</c> counts every drop then). A recording samples a model, and trials sample a replay's
    /// recordings, so those keep the test; so do two variants of a run, which are two recordings.
    /// </summary>
    public bool Deterministic { get; init; }

    /// <summary>Whether the same cases ran on both sides, so they were compared pair by pair.</summary>
    public bool Paired => Test.Method == Comparer.McNemar;

    /// <summary>The change of the success rate in percentage points (negative: a drop).</summary>
    public double SuccessDeltaPoints => Math.Round((Current.SuccessRate - Base.SuccessRate) * 100, 2);

    /// <summary>Whether steps, cost and latency were measured on both sides: some case ran without an error on each.</summary>
    public bool Measured => Base.Measured > 0 && Current.Measured > 0;

    /// <summary>The change of the cost per case in percent, or null when a side has no price, costs nothing or was not measured.</summary>
    public double? CostChangePercent => Measured && Base.MeanCostUsd is { } b && Current.MeanCostUsd is { } c && b > 0 ? Math.Round((double)((c - b) / b) * 100, 2) : null;

    /// <summary>The change of the p95 latency in percent, or null when the base has none or a side was not measured.</summary>
    public double? LatencyP95ChangePercent => Measured && Base.LatencyP95Ms > 0 ? Math.Round((Current.LatencyP95Ms - Base.LatencyP95Ms) / Base.LatencyP95Ms * 100, 2) : null;

    /// <summary>
    /// Whether a change of the success rate counts as one: every change in a replay of single trials
    /// (<see cref="Deterministic"/>), else only a significant one. The one rule behind the gate's
    /// <c>max_success_drop_points</c>, <c>evalh compare</c>'s exit code and whether its scenarios "regressed".
    /// </summary>
    public bool ChangeCounts(double alpha) => Deterministic || Test.IsSignificant(alpha);

    /// <summary>Whether the success rate fell by more than <paramref name="maxDropPoints"/> in a way that counts (<see cref="ChangeCounts"/>).</summary>
    public bool DropCounts(double alpha, double maxDropPoints = 0) => -SuccessDeltaPoints > maxDropPoints + 1e-9 && ChangeCounts(alpha);

    /// <summary>
    /// The fewest cases with which the test can find any change significant at <paramref name="alpha"/>: paired cases
    /// for McNemar's test, cases on each side for Fisher's. With fewer, a difference is within noise whatever its size.
    /// </summary>
    public int FewestCases(double alpha) => Paired ? Significance.McNemarFewestCases(alpha) : Significance.FisherFewestCases(alpha);

    /// <summary>
    /// About how many cases a change of this size would need for the test to call it significant at
    /// <paramref name="alpha"/>: the compared cases times the smallest multiple at which the same shares are (in all, for
    /// Fisher's test). Null for no change, or one that would need more than 100,000 cases.
    /// </summary>
    public int? CasesForThisChange(double alpha)
    {
        const int MaxCases = 100_000;
        var (onlyBase, onlyCurrent) = (Test.OnlyBasePassed, Test.OnlyCurrentPassed);
        var cases = Paired ? Test.Cases : Base.Cases + Current.Cases;
        if (cases == 0 || (Paired ? onlyBase == onlyCurrent : Math.Abs(SuccessDeltaPoints) < 1e-9))
        {
            return null;
        }

        var multiple = Significance.SmallestSignificantMultiple(
            Paired ? m => Significance.McNemarExact(onlyBase * m, onlyCurrent * m)
                : m => Significance.FisherExact(Base.Passed * m, (Base.Cases - Base.Passed) * m, Current.Passed * m, (Current.Cases - Current.Passed) * m),
            alpha,
            Math.Max(1, MaxCases / cases));
        return multiple * cases;
    }

    /// <summary>Scenarios with the given change.</summary>
    public IEnumerable<ScenarioComparison> With(Change change) => Scenarios.Where(s => s.Change == change);
}
