using System.Globalization;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Statistics;

namespace EvalHarness.Reports;

/// <summary>How every report writes numbers: the same text in the HTML, the Markdown and the console.</summary>
internal static class Format
{
    public static string Percent(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Points(double points) => $"{(points > 0 ? "+" : points < 0 ? "−" : "±")}{Math.Abs(points).ToString("0.#", CultureInfo.InvariantCulture)} pts";

    public static string Change(double? percent) => percent is not { } p ? "n/a" : $"{(p > 0 ? "+" : p < 0 ? "−" : "±")}{Math.Abs(p).ToString("0.#", CultureInfo.InvariantCulture)}%";

    /// <summary>Dollars to a precision that shows a per-case cost: six places below a cent, four below a dollar, then two.</summary>
    public static string Money(decimal? usd) => usd is { } v
        ? v.ToString(v == 0 ? "$0.00" : Math.Abs(v) < 0.01m ? "$0.000000" : Math.Abs(v) < 1 ? "$0.0000" : "$0.00", CultureInfo.InvariantCulture)
        : "n/a";

    public static string Ms(double ms) => Math.Abs(ms) >= 1000
        ? (ms / 1000).ToString("0.00 s", CultureInfo.InvariantCulture)
        : ms.ToString("0 ms", CultureInfo.InvariantCulture);

    public static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>How a scenario's conversations ended, counted: <c>2 × user, 1 × max_turns</c>.</summary>
    public static string Endings(IReadOnlyDictionary<string, int> endedBy) => string.Join(", ", endedBy.Select(e => $"{e.Value} × {e.Key}"));

    public static string PValue(double p) => p < 0.0001 ? "< 0.0001" : p.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>The first seven characters of a commit id.</summary>
    public static string ShortCommit(string commit) => commit.Length > 7 ? commit[..7] : commit;

    /// <summary>Passed over cases of one side of a scenario, or a dash where the side has none.</summary>
    public static string Passed(SideStats? side) => side is null ? "–" : $"{side.Passed}/{side.Cases}";

    public static string StepsDelta(ScenarioComparison s) => Delta(s, x => x.MeanSteps, v => Number(v, "+0.#;−0.#;0"));

    public static string CostDelta(ScenarioComparison s) => Delta(s, x => (double?)x.MeanCostUsd, v => (v >= 0 ? "+" : "−") + Money((decimal)Math.Abs(v)));

    public static string LatencyDelta(ScenarioComparison s) => Delta(s, x => x.MeanLatencyMs, v => (v >= 0 ? "+" : "−") + Ms(Math.Abs(v)));

    /// <summary>Text safe in a Markdown table cell: one line, no pipes, no HTML, no backticks.</summary>
    public static string MarkdownCell(string text) => text
        .Replace('\r', ' ').Replace('\n', ' ')
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace('`', '\'');

    /// <summary>
    /// What the success rates' comparison says: the test, its p and whether that is significant at <paramref name="alpha"/>;
    /// for a replay of single trials (<see cref="RunComparison.Deterministic"/>), that every change counts.
    /// </summary>
    public static string Verdict(RunComparison c, double alpha) =>
        c.Deterministic
            ? "a replay of single trials answers alike every time: every change counts (no significance test)"
            : $"{c.Test.Method} p = {PValue(c.Test.PValue)}: {(c.Test.IsSignificant(alpha) ? "significant" : "not significant")} at α = {Number(alpha, "0.###")}{(c.Test.IsSignificant(alpha) ? string.Empty : " (within noise)")}";

    /// <summary>The short form of <see cref="Verdict"/>, for a line that says more: the test and its p, or "a replay: every change counts".</summary>
    public static string TestBrief(RunComparison c) => c.Deterministic ? "a replay: every change counts" : $"{c.Test.Method} p = {PValue(c.Test.PValue)}";

    /// <summary>
    /// How a scenario moved, in words that agree with the test: a scenario passing fewer cases "regressed" only when the
    /// comparison's change counts (<see cref="RunComparison.ChangeCounts"/>, as the gate judges a drop); within noise it is
    /// "worse (within noise)", and likewise "better" for "fixed".
    /// </summary>
    public static string ChangeOf(ScenarioComparison s, RunComparison c, double alpha) => s.Change switch
    {
        global::EvalHarness.Core.Comparison.Change.Regressed when !c.ChangeCounts(alpha) => "worse (within noise)",
        global::EvalHarness.Core.Comparison.Change.Fixed when !c.ChangeCounts(alpha) => "better (within noise)",
        var change => change.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// For a change within noise: that so few cases cannot show a significant change at <paramref name="alpha"/> at all
    /// (even the most lopsided result would not be), with the fewest that could and about how many a change of this size
    /// would need; or, where a significant change was possible, how many this one would need. Null when the change counts.
    /// </summary>
    public static string? TooFewCases(RunComparison c, double alpha)
    {
        if (c.ChangeCounts(alpha) || c.Test.Cases == 0)
        {
            return null;
        }

        var level = $"α = {Number(alpha, "0.###")}";
        var fewest = c.FewestCases(alpha);
        var need = Math.Abs(c.SuccessDeltaPoints) < 1e-9 ? null : c.CasesForThisChange(alpha) is { } n ? $"about {n:N0}" : "more than 100,000";
        if (c.Paired)
        {
            var cases = c.Test.Cases;
            return cases < fewest
                ? $"{cases} paired case(s) cannot show a significant change at {level}: even if all {cases} flipped one way, p would be {PValue(Significance.McNemarExact(cases, 0))}. "
                    + $"It takes at least {fewest} paired case(s){(need is null ? string.Empty : $", and {need} for a change of this size")}."
                : need is null ? null : $"A change of this size would need {need} paired case(s) to be significant at {level}.";
        }

        var extreme = Significance.FisherExact(c.Base.Cases, 0, 0, c.Current.Cases);
        return extreme >= alpha
            ? $"{c.Base.Cases} and {c.Current.Cases} case(s) cannot show a significant change at {level}: even if every case passed on one side and failed on the other, p would be {PValue(extreme)}. "
                + $"It takes at least {fewest} case(s) on each side{(need is null ? string.Empty : $", and {need} in all for a change of this size")}."
            : need is null ? null : $"A change of this size would need {need} case(s) in all to be significant at {level}.";
    }

    /// <summary>
    /// Why the success rate and pass^k moved apart against the baseline (one fell, the other did not), or null when they
    /// agree: side by side, "±0 pts" beside "−12.5 pts" reads as a mistake. Names the scenarios that stopped, or started,
    /// passing every trial, and says when the two are not over the same cases.
    /// </summary>
    public static string? PassHatKApart(RunComparison c, double passHatKPoints)
    {
        var success = Math.Round(c.SuccessDeltaPoints, 1);
        var passHatK = Math.Round(passHatKPoints, 1);
        if (Math.Sign(success) == Math.Sign(passHatK))
        {
            return null;
        }

        static bool All(SideStats side) => side.Cases > 0 && side.Passed == side.Cases;
        string Listed(IEnumerable<ScenarioComparison> scenarios) =>
            string.Join(", ", scenarios.Take(5).Select(s => $"{s.Key} ({Passed(s.Base)} → {Passed(s.Current)})"));
        var both = c.Scenarios.Where(s => s.Base is not null && s.Current is not null).ToList();
        var lost = both.Where(s => All(s.Base!) && !All(s.Current!)).ToList();
        var gained = both.Where(s => !All(s.Base!) && All(s.Current!)).ToList();
        var why = $"Success {Points(success)}, pass^k {Points(passHatK)}: pass^k counts a scenario only when all its trials pass, the success rate every trial, "
            + "so a trial that flips in a scenario of several trials can move one and not the other.";
        if (lost.Count > 0)
        {
            why += $" No longer passing every trial: {Listed(lost)}.";
        }

        if (gained.Count > 0)
        {
            why += $" Now passing every trial: {Listed(gained)}.";
        }

        // The success change is over the cases that ran on both sides; pass^k is each run's own, new and removed scenarios too.
        if (c.Scenarios.Any(s => s.Change is global::EvalHarness.Core.Comparison.Change.New or global::EvalHarness.Core.Comparison.Change.Removed))
        {
            why += $" The success change is over the {c.Current.Cases} case(s) run on both sides; pass^k is each run's whole, with its new and removed scenarios.";
        }

        return why;
    }

    /// <summary>The change of a figure of a scenario; "not run" where every case of a side ended in an error (it has no figure).</summary>
    private static string Delta(ScenarioComparison s, Func<SideStats, double?> metric, Func<double, string> format) => (s.Base, s.Current) switch
    {
        ({ Measured: 0 }, not null) or (not null, { Measured: 0 }) => "not run",
        ({ } b, { } c) when metric(b) is { } before && metric(c) is { } now => format(now - before),
        _ => "–",
    };
}
