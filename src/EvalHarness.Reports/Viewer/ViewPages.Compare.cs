using System.Globalization;
using System.Text;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Html;

namespace EvalHarness.Reports.Viewer;

/// <summary>
/// Two runs side by side: the comparison <c>evalh compare</c> prints and the gate judges (<see cref="RunPairs"/>), then
/// every case whose verdict, cost or steps changed with both its transcripts and tool calls, and where its requests differ.
/// </summary>
internal static partial class ViewPages
{
    /// <summary>How many changed cases the page shows whole; the rest are listed.</summary>
    private const int PairsShown = 100;

    public static string Compare(RunResult a, RunResult b, RunComparison comparison, double alpha = RunPairs.Alpha)
    {
        var html = new StringBuilder(64 * 1024);
        const string root = "../../../";
        Nav(html, root, (b.Suite + " trends", TrendsHref(root, b.SuiteKey ?? b.Suite)), ("side by side", null));
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(a.Suite)}: two runs side by side</h1><div class=\"sides\">");
        foreach (var (run, label) in new[] { (a, "A · the base"), (b, "B") })
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\"><div class=\"label\">{label}</div><a href=\"{RunHref(root, run.RunId)}\"><code>{E(run.RunId)}</code></a>")
                .Append(CultureInfo.InvariantCulture, $"<div class=\"note\">{E(run.Mode)} · {When(run.StartedAt)}{(run.Git is null ? string.Empty : $" · {Commit(run.Git)}")} · {run.Summary.Passed}/{run.Summary.Cases} passed · {Format.Money(run.Summary.CostUsd)}</div></div>");
        }

        html.Append("</div>");
        var drop = comparison.DropCounts(alpha);
        var counts = comparison.ChangeCounts(alpha);
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"verdict {(drop ? "fail" : "pass")}\" id=\"comparison-verdict\" style=\"margin-top:14px\">")
            .Append(CultureInfo.InvariantCulture, $"Success {Format.Percent(comparison.Base.SuccessRate)} → {Format.Percent(comparison.Current.SuccessRate)} ({Format.Points(comparison.SuccessDeltaPoints)})")
            .Append(drop ? ": B regressed, by the gate's drop rule" : comparison.SuccessDeltaPoints < 0 ? ": lower, within noise (the gate's drop rule does not count it)" : string.Empty)
            .Append(CultureInfo.InvariantCulture, $"<small>{E(Format.Verdict(comparison, alpha))} · over {comparison.Test.Cases} {(comparison.Paired ? "paired " : string.Empty)}case(s)</small></div>");
        if (Format.TooFewCases(comparison, alpha) is { } tooFew)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{E(tooFew)}</p>");
        }

        Scenarios(html, comparison, alpha, counts);
        Pairs(html, a, b);
        return Page($"{a.Suite} · {a.RunId} vs {b.RunId}", html.ToString());
    }

    private static void Scenarios(StringBuilder html, RunComparison c, double alpha, bool counts)
    {
        html.Append("<h2>Scenarios</h2><table id=\"scenarios\"><thead><tr><th>Scenario</th><th class=\"num\">A</th><th class=\"num\">B</th><th>Change</th>")
            .Append("<th class=\"num\">Δ steps</th><th class=\"num\">Δ cost</th><th class=\"num\">Δ latency</th></tr></thead><tbody>");
        foreach (var s in c.Scenarios)
        {
            var badge = s.Change switch
            {
                Change.Regressed when counts => "regressed",
                Change.Fixed when counts => "fixed",
                Change.New => "new",
                Change.Removed => "removed",
                _ => "same",
            };
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(s.Key)}{(s.Flaky ? " <span class=\"badge flaky\">flaky</span>" : string.Empty)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Format.Passed(s.Base)}</td><td class=\"num\">{Format.Passed(s.Current)}</td><td><span class=\"badge {badge}\">{E(Format.ChangeOf(s, c, alpha))}</span></td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{E(Format.StepsDelta(s))}</td><td class=\"num\">{E(Format.CostDelta(s))}</td><td class=\"num\">{E(Format.LatencyDelta(s))}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    /// <summary>The cases of both runs matched by variant, scenario and trial, those that changed verdict, cost or steps each side by side.</summary>
    private static void Pairs(StringBuilder html, RunResult a, RunResult b)
    {
        var before = a.CasesWithDetails().ToDictionary(c => (c.Variant, c.Scenario, c.Trial));
        var changed = new List<(CaseResult A, CaseResult B)>();
        var added = new List<CaseResult>();
        foreach (var c in b.CasesWithDetails())
        {
            if (!before.Remove((c.Variant, c.Scenario, c.Trial), out var was))
            {
                added.Add(c);
            }
            else if (Status(was) != Status(c) || was.Steps != c.Steps || was.CostUsd != c.CostUsd)
            {
                changed.Add((was, c));
            }
        }

        // A case B did not run because B is a part of the suite (a shard, --filter) was not removed.
        var removed = b.Shard is null && b.Selection is null ? before.Values.ToList() : [];
        html.Append(CultureInfo.InvariantCulture, $"<h2 id=\"changed\">Cases that changed</h2><p class=\"note\">{changed.Count} case(s) changed verdict, cost or steps; the verdict changes first.</p>");
        var ordered = changed.OrderBy(p => Status(p.A) == Status(p.B)).ThenBy(p => p.B.Index).ToList();
        foreach (var (x, y) in ordered.Take(PairsShown))
        {
            Pair(html, x, y);
        }

        if (ordered.Count > PairsShown)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{ordered.Count - PairsShown} more changed: ")
                .Append(E(string.Join(", ", ordered.Skip(PairsShown).Select(p => $"{p.B.Variant}/{p.B.Scenario}/t{p.B.Trial}")))).Append("</p>");
        }

        foreach (var (list, title) in new[] { (removed, "Only in A"), (added, "Only in B") })
        {
            if (list.Count > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"<h2>{title}</h2><p>").Append(E(string.Join(", ", list.Select(c => $"{c.Variant}/{c.Scenario}/t{c.Trial}")))).Append("</p>");
            }
        }
    }

    private static void Pair(StringBuilder html, CaseResult a, CaseResult b)
    {
        var verdictChanged = Status(a) != Status(b);
        var what = new List<string>();
        what.AddRange(verdictChanged ? [$"{Status(a)} → {Status(b)}"] : []);
        what.AddRange(a.Steps != b.Steps ? [$"steps {a.Steps} → {b.Steps}"] : []);
        what.AddRange(a.CostUsd != b.CostUsd ? [$"cost {Format.Money(a.CostUsd)} → {Format.Money(b.CostUsd)}"] : []);
        var badge = !verdictChanged ? "same" : Status(b) == "pass" ? "fixed" : "regressed";
        html.Append(CultureInfo.InvariantCulture, $"<details class=\"pair\" data-case=\"{E($"{b.Variant}/{b.Scenario}/t{b.Trial}")}\"{(verdictChanged ? " open" : string.Empty)}>")
            .Append(CultureInfo.InvariantCulture, $"<summary><span class=\"badge {badge}\">{E(string.Join(" · ", what))}</span> {E(b.Variant)} / {E(b.Scenario)} / t{b.Trial}</summary><div>");
        html.Append("<div class=\"sides\">");
        foreach (var (c, label) in new[] { (a, "A"), (b, "B") })
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"side side-{label.ToLowerInvariant()}\"><h3>{label}</h3>");
            HtmlReportWriter.CaseDetail(html, c, open: true);
            html.Append("</div>");
        }

        html.Append("</div>");
        var differences = RequestDiff.Between(a, b);
        html.Append("<h3>Where the requests differ</h3>");
        if (differences.Count == 0)
        {
            html.Append("<p class=\"note\">The same conversation and tool calls on both sides: the agent did the same, and what changed is how the case was judged (the assertions above).</p>");
        }
        else
        {
            html.Append("<table class=\"diff\"><thead><tr><th>JSON path</th><th>A</th><th>B</th></tr></thead><tbody>");
            foreach (var d in differences)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(d.Path)}</code></td><td>{Side(d.A)}</td><td>{Side(d.B)}</td></tr>");
            }

            html.Append("</tbody></table>").Append(differences.Count == RequestDiff.Max ? $"<p class=\"note\">The first {RequestDiff.Max} differences.</p>" : string.Empty);
        }

        html.Append("</div></details>");
        static string Side(string? value) => value is null ? "<span class=\"note\">(not there)</span>" : $"<pre>{E(value)}</pre>";
    }
}
