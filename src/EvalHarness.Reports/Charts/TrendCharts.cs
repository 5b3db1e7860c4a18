using System.Globalization;
using EvalHarness.Reports.History;

namespace EvalHarness.Reports.Charts;

/// <summary>
/// The trend charts of a suite's recent runs, success, cost and p95 latency per variant, built once from the history's
/// <see cref="TrendPoint"/>s: the HTML page draws them as inline SVG, the run folder's chart files with ScottPlot.
/// </summary>
internal static class TrendCharts
{
    /// <summary>One chart per measure, named <c>success</c>, <c>cost</c> and <c>latency</c>; none without history.</summary>
    public static IReadOnlyList<(string Name, LineChart Chart)> For(IReadOnlyList<TrendPoint> points)
    {
        var runs = points.Select(p => (p.RunId, p.StartedAt)).Distinct().ToList();
        if (runs.Count == 0)
        {
            return [];
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

        return
        [
            ("success", new LineChart("Success rate", labels, Series(p => p.SuccessRate)) { YFormat = "0%", YMin = 0, YMax = 1 }),
            ("cost", new LineChart("Cost per case (USD)", labels, Series(p => (double?)p.CostPerCase)) { YFormat = "$0.0000", YMin = 0 }),
            ("latency", new LineChart("Latency p95 (ms)", labels, Series(p => double.IsFinite(p.LatencyP95Ms) ? p.LatencyP95Ms : null)) { YFormat = "0 ms", YMin = 0 }),
        ];
    }
}
