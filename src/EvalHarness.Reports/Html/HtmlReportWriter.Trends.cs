using System.Globalization;
using System.Text;
using EvalHarness.Reports.Charts;
using EvalHarness.Reports.History;

namespace EvalHarness.Reports.Html;

/// <summary>Trend charts across the suite's recent runs: success, cost and p95 latency per variant.</summary>
public static partial class HtmlReportWriter
{
    private static void Trends(StringBuilder html, ReportContext context)
    {
        html.Append("<h2 id=\"trends\">Trends</h2>");
        var points = context.Trend;
        var file = E($"reports/history/{context.Run.SuiteKey ?? context.Run.Suite}.csv");
        var runs = points.Select(p => (p.RunId, p.StartedAt)).Distinct().ToList();
        if (runs.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">No history yet: every run appends its cases to <code>{file}</code>, and the trends start with the next run.</p>");
            return;
        }

        // Minutes tell runs apart, unless two started in the same minute.
        var labels = runs.Select(r => r.StartedAt.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture)).ToList();
        if (labels.Distinct().Count() < labels.Count)
        {
            labels = [.. runs.Select(r => r.StartedAt.UtcDateTime.ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture))];
        }

        var variants = points.Select(p => p.Variant).Distinct().ToList();
        var byRun = points.ToDictionary(p => (p.RunId, p.Variant));
        List<ChartSeries> Series(Func<TrendPoint, double?> value) =>
            [.. variants.Select(v => new ChartSeries(v, [.. runs.Select(r => byRun.TryGetValue((r.RunId, v), out var p) ? value(p) : null)]))];

        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">The last {runs.Count} run(s) of the suite, from <code>{file}</code>.</p><div class=\"charts\">")
            .Append("<div class=\"chart\" id=\"trend-success\">").Append(SvgChart.Render(new LineChart("Success rate", labels, Series(p => p.SuccessRate)) { YFormat = "0%", YMin = 0, YMax = 1 })).Append("</div>")
            .Append("<div class=\"chart\" id=\"trend-cost\">").Append(SvgChart.Render(new LineChart("Cost per case (USD)", labels, Series(p => (double?)p.CostPerCase)) { YFormat = "$0.0000", YMin = 0 })).Append("</div>")
            .Append("<div class=\"chart\" id=\"trend-latency\">").Append(SvgChart.Render(new LineChart("Latency p95 (ms)", labels, Series(p => p.LatencyP95Ms)) { YFormat = "0 ms", YMin = 0 })).Append("</div>")
            .Append("</div>");
    }
}
