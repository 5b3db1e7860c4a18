using System.Globalization;
using System.Text;
using EvalHarness.Reports.Charts;
using EvalHarness.Reports.History;

namespace EvalHarness.Reports.Viewer;

/// <summary>A suite's trends from its history: the report's charts per variant, and each scenario run by run.</summary>
internal static partial class ViewPages
{
    public static string Trends(string suite, string suiteKey, IReadOnlyList<HistoryEntry> history, IReadOnlyList<ViewRun> runs, DateTimeOffset now)
    {
        var html = new StringBuilder(32 * 1024);
        const string root = "../../";
        Nav(html, root, (suite + " trends", null));
        html.Append(CultureInfo.InvariantCulture, $"<h1>Suite {E(suite)}: trends</h1><p class=\"meta\"><code>{E(suiteKey)}</code> · {runs.Count} run(s) here");
        var file = E($"reports/history/{suiteKey}.csv");
        var ordered = new RunHistory(history);
        var charts = TrendCharts.For(ordered.Trend());
        if (charts.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"</p><p class=\"note\">No history yet: every whole replay appends its cases to <code>{file}</code> (recordings, shards and runs narrowed with --filter do not), and the trends start there.</p>");
            RecentRuns(html, runs, root, now);
            return Page($"{suite} · trends", html.ToString());
        }

        html.Append(CultureInfo.InvariantCulture, $" · the last {charts[0].Chart.XLabels.Count} replay(s) in <code>{file}</code></p><div class=\"charts\">");
        foreach (var (name, chart) in charts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"chart\" id=\"trend-{name}\">").Append(SvgChart.Render(chart)).Append("</div>");
        }

        html.Append("</div>");
        ScenarioTrends(html, history, ordered.Flaky());
        RecentRuns(html, runs, root, now);
        return Page($"{suite} · trends", html.ToString());
    }

    /// <summary>Each scenario, a mark per run (passed every trial, failed one, or could not be judged), oldest first.</summary>
    private static void ScenarioTrends(StringBuilder html, IReadOnlyList<HistoryEntry> history, IReadOnlySet<string> flaky)
    {
        var runIds = history.GroupBy(e => e.RunId, StringComparer.Ordinal).OrderBy(g => g.Min(e => e.StartedAt)).Select(g => g.Key).TakeLast(RunHistory.TrendRuns).ToList();
        var kept = runIds.ToHashSet(StringComparer.Ordinal);
        html.Append("<h2>Scenarios</h2><div class=\"controls\"><input type=\"search\" data-filter=\"scenario\" placeholder=\"Scenario…\" aria-label=\"Search scenarios\"><span class=\"note\" data-count=\"scenario(s)\"></span></div>")
            .Append("<table id=\"scenario-trends\"><thead><tr><th>Scenario</th><th>Run by run (oldest first)</th><th class=\"num\">Passed</th><th class=\"num\">Steps (mean)</th><th class=\"num\">Cost (mean)</th></tr></thead><tbody>");
        foreach (var scenario in history.Where(e => kept.Contains(e.RunId)).GroupBy(e => e.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var byRun = scenario.GroupBy(e => e.RunId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            html.Append(CultureInfo.InvariantCulture, $"<tr data-row data-scenario=\"{E(scenario.Key)}\"><td>{E(scenario.Key)}{(flaky.Contains(scenario.Key) ? " <span class=\"badge flaky\">flaky</span>" : string.Empty)}</td><td><span class=\"strip\">");
            foreach (var id in runIds)
            {
                var (mark, word) = !byRun.TryGetValue(id, out var rows) ? (string.Empty, "not run")
                    : rows.All(r => r.Error) ? ("e", "error") : rows.All(r => r.Passed) ? ("p", "passed") : ("f", "failed");
                html.Append(CultureInfo.InvariantCulture, $"<i class=\"{mark}\" title=\"{E(id)}: {word}\"></i>");
            }

            var all = scenario.ToList();
            var ran = all.Where(e => !e.Error).ToList();
            var cost = ran.Count == 0 || ran.Any(e => e.CostUsd is null) ? null : ran.Sum(e => e.CostUsd) / ran.Count;
            html.Append(CultureInfo.InvariantCulture, $"</span></td><td class=\"num\">{all.Count(e => e.Passed)}/{all.Count}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{(ran.Count == 0 ? "–" : Format.Number(ran.Average(e => e.Steps)))}</td><td class=\"num\">{Format.Money(cost)}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void RecentRuns(StringBuilder html, IReadOnlyList<ViewRun> runs, string root, DateTimeOffset now)
    {
        html.Append("<h2>Runs</h2><ul>");
        foreach (var run in runs.Take(30))
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{RunHref(root, run.Id)}\"><code>{E(run.Id)}</code></a> · {E(run.Mode)} · {Verdict(run.Verdict(now))}")
                .Append(run.Summary is { } s ? $" · {s.Passed}/{s.Cases}" : string.Empty)
                .Append(run.Note is { } note ? $" <span class=\"tag\">{E(note)}</span>" : string.Empty).Append("</li>");
        }

        html.Append("</ul>");
    }
}
