using System.Globalization;
using System.Text;
using EvalHarness.Reports.Charts;

namespace EvalHarness.Reports.Html;

/// <summary>Trend charts across the suite's recent runs: success, cost and p95 latency per variant.</summary>
public static partial class HtmlReportWriter
{
    private static void Trends(StringBuilder html, ReportContext context)
    {
        html.Append("<h2 id=\"trends\">Trends</h2>");
        var file = E($"reports/history/{context.Run.SuiteKey ?? context.Run.Suite}.csv");
        var charts = TrendCharts.For(context.Trend);
        if (charts.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">No history yet: every run appends its cases to <code>{file}</code>, and the trends start with the next run.</p>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">The last {charts[0].Chart.XLabels.Count} run(s) of the suite, from <code>{file}</code>.</p><div class=\"charts\">");
        foreach (var (name, chart) in charts)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"chart\" id=\"trend-{name}\">").Append(SvgChart.Render(chart)).Append("</div>");
        }

        html.Append("</div>");
    }
}
