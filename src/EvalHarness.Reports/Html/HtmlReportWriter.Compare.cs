using System.Globalization;
using System.Text;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Html;

/// <summary>The variants side by side, and the changes against the baseline.</summary>
public static partial class HtmlReportWriter
{
    /// <summary>Rows of the scenario tables (variants side by side, changes) written into the page; results.json and <c>evalh compare</c> hold them all.</summary>
    internal const int ScenarioRows = 500;

    private static void Variants(StringBuilder html, ReportContext context)
    {
        var run = context.Run;
        var variants = run.Cases.Select(c => c.Variant).Distinct().ToList();
        if (variants.Count < 2)
        {
            return;
        }

        var cells = new Dictionary<(string Variant, string Scenario), List<CaseResult>>();
        foreach (var c in run.Cases)
        {
            if (!cells.TryGetValue((c.Variant, c.Scenario), out var list))
            {
                cells[(c.Variant, c.Scenario)] = list = [];
            }

            list.Add(c);
        }

        html.Append("<h2 id=\"variants\">Variants side by side</h2>");
        foreach (var other in variants.Skip(1))
        {
            var cmp = Comparer.Variants(run, variants[0], other, context.Flaky);
            html.Append(CultureInfo.InvariantCulture,
                $"<p class=\"note\"><b>{E(other)}</b> against <b>{E(variants[0])}</b>: success {Format.Percent(cmp.Current.SuccessRate)} vs {Format.Percent(cmp.Base.SuccessRate)} ({Format.Points(cmp.SuccessDeltaPoints)}, {cmp.Test.Method} p = {Format.PValue(cmp.Test.PValue)}{(cmp.Test.IsSignificant(0.05) ? ", significant at 0.05" : ", not significant at 0.05")}); ")
                .Append(CultureInfo.InvariantCulture, $"cost per case {Format.Change(cmp.CostChangePercent)}, p95 latency {Format.Change(cmp.LatencyP95ChangePercent)}; {cmp.With(Change.Regressed).Count()} scenario(s) worse, {cmp.With(Change.Fixed).Count()} better.</p>");
        }

        html.Append("<table id=\"variant-table\"><thead><tr><th>Scenario</th>");
        foreach (var v in variants)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(v)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        var scenarios = run.Cases.Select(c => c.Scenario).Distinct().ToList();
        foreach (var scenario in scenarios.Take(ScenarioRows))
        {
            var stats = variants.Select(v => cells.TryGetValue((v, scenario), out var list) ? SideStats.Of(list) : null).ToList();
            var present = stats.OfType<SideStats>().ToList();

            // Steps, cost and latency are compared among the cells that pass most: a cheaper failure is not better.
            var topRate = present.Max(x => x.SuccessRate);
            bool Best(Func<SideStats, double?> metric, SideStats s, bool higher)
            {
                var among = higher ? present : present.Where(x => x.SuccessRate == topRate).ToList();
                var values = among.Select(metric).OfType<double>().Distinct().ToList();
                return values.Count > 1 && among.Contains(s) && metric(s) is { } value && value == (higher ? values.Max() : values.Min());
            }

            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(scenario)}</td>");
            foreach (var s in stats)
            {
                if (s is null)
                {
                    html.Append("<td>–</td>");
                    continue;
                }

                string Mark(string text, bool best) => best ? $"<span class=\"best\" title=\"best of the variants\">{text}</span>" : text;
                html.Append("<td>")
                    .Append(Mark($"<span class=\"{(s.Passed == s.Cases ? "pass-cell" : "fail-cell")}\">{s.Passed}/{s.Cases}</span>", Best(x => x.SuccessRate, s, higher: true)))
                    .Append(" · ").Append(Mark($"{Format.Number(s.MeanSteps, "0.#")} steps", Best(x => x.MeanSteps, s, higher: false)))
                    .Append(" · ").Append(Mark(E(Format.Money(s.MeanCostUsd)), Best(x => (double?)x.MeanCostUsd, s, higher: false)))
                    .Append(" · ").Append(Mark(E(Format.Ms(s.MeanLatencyMs)), Best(x => x.MeanLatencyMs, s, higher: false)))
                    .Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("<tr class=\"totals\"><td><b>All scenarios</b></td>");
        foreach (var g in variants.Select(v => run.Groups.FirstOrDefault(g => g.Kind == "variant" && g.Key == v)))
        {
            html.Append(g is null ? "<td>–</td>" : $"<td><b>{Format.Percent(g.SuccessRate)}</b> · pass^k {Format.Percent(g.PassHatK)} · {E(Format.Money(g.CostUsd))} in all · p95 {E(Format.Ms(g.LatencyP95Ms))}</td>");
        }

        html.Append("</tr></tbody></table><p class=\"note\">Each cell: trials passed, then steps, cost and latency as means per trial; ★ marks the best value of the row. "
            + "All scenarios: the success rate, pass^k, the cost in all and the p95 latency of the variant.")
            .Append(scenarios.Count > ScenarioRows ? $" The first {ScenarioRows} of {scenarios.Count:N0} scenarios; results.json's groups and <code>evalh compare &lt;run&gt; --variants</code> have them all." : string.Empty)
            .Append("</p>");
    }

    private static void Baseline(StringBuilder html, ReportContext context)
    {
        html.Append("<h2 id=\"baseline\">Against the baseline</h2>");
        if (context.Comparison is not { } c)
        {
            html.Append("<p class=\"note\">No baseline to compare with. Make a run the baseline with <code>evalh baseline bless &lt;run&gt;</code>, or pass <code>--baseline &lt;run&gt;</code>.</p>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<p>Success {Format.Percent(c.Base.SuccessRate)} → <b>{Format.Percent(c.Current.SuccessRate)}</b> ({Format.Points(c.SuccessDeltaPoints)}; {E(Format.Verdict(c, 0.05))}")
            .Append(CultureInfo.InvariantCulture, $") · cost per case {E(Format.Money(c.Base.MeanCostUsd))} → {E(Format.Money(c.Current.MeanCostUsd))} ({Format.Change(c.CostChangePercent)})")
            .Append(CultureInfo.InvariantCulture, $" · p95 latency {E(Format.Ms(c.Base.LatencyP95Ms))} → {E(Format.Ms(c.Current.LatencyP95Ms))} ({Format.Change(c.LatencyP95ChangePercent)}).</p>");

        var changed = c.Scenarios.Where(s => s.Change != Change.Same || s.Flaky)
            .OrderBy(s => s.Flaky && s.Change is Change.Regressed or Change.Fixed ? 2 : s.Change switch { Change.Regressed => 0, Change.Fixed => 1, Change.New => 3, Change.Removed => 4, _ => 5 })
            .ToList();
        html.Append("<p id=\"change-counts\">");
        foreach (var (label, css, count) in new[]
        {
            ("regressed", "regressed", c.Scenarios.Count(s => s.Change == Change.Regressed && !s.Flaky)),
            ("fixed", "fixed", c.Scenarios.Count(s => s.Change == Change.Fixed && !s.Flaky)),
            ("flaky", "flaky", c.Scenarios.Count(s => s.Flaky)),
            ("new", "new", c.Scenarios.Count(s => s.Change == Change.New)),
            ("removed", "removed", c.Scenarios.Count(s => s.Change == Change.Removed)),
            ("unchanged", "same", c.Scenarios.Count(s => s.Change == Change.Same && !s.Flaky)),
        })
        {
            html.Append(CultureInfo.InvariantCulture, $"<span class=\"badge {css}\">{count} {label}</span>");
        }

        html.Append("</p>");
        if (changed.Count == 0)
        {
            html.Append("<p class=\"note\">No scenario changed.</p>");
            return;
        }

        html.Append("<table id=\"changes\"><thead><tr><th>Scenario</th><th>Change</th><th class=\"num\">Baseline</th><th class=\"num\">This run</th><th class=\"num\">Δ steps</th><th class=\"num\">Δ cost</th><th class=\"num\">Δ latency</th></tr></thead><tbody>");
        foreach (var s in changed.Take(ScenarioRows))
        {
            var label = s.Flaky && s.Change is Change.Regressed or Change.Fixed ? "flaky" : s.Change.ToString().ToLowerInvariant();
            html.Append(CultureInfo.InvariantCulture, $"<tr data-change=\"{label}\"><td>{E(s.Key)}{(s.Critical ? " <span class=\"tag\">critical</span>" : string.Empty)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge {label}\">{label}</span>{(s.Flaky && label != "flaky" ? " <span class=\"badge flaky\">flaky</span>" : string.Empty)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Format.Passed(s.Base)}</td><td class=\"num\">{Format.Passed(s.Current)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{E(Format.StepsDelta(s))}</td><td class=\"num\">{E(Format.CostDelta(s))}</td><td class=\"num\">{E(Format.LatencyDelta(s))}</td></tr>");
        }

        html.Append("</tbody></table>");
        if (changed.Count > ScenarioRows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">The first {ScenarioRows} of {changed.Count:N0} changed scenarios, regressions first; <code>evalh compare</code> lists them all.</p>");
        }
    }
}
