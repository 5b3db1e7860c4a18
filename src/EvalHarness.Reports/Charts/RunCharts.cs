using EvalHarness.Core.Comparison;
using EvalHarness.Core.Statistics;

namespace EvalHarness.Reports.Charts;

/// <summary>
/// The picture files of a run folder, drawn by <see cref="ChartImage"/> once per run: the trends across the suite's
/// history (from the same <see cref="TrendCharts"/> as the HTML page) and this run's variants side by side.
/// </summary>
internal static class RunCharts
{
    /// <summary>The charts' folder inside the run folder.</summary>
    public const string Folder = "charts";

    /// <summary>The size of a trend chart in pixels.</summary>
    public const int Width = 640, Height = 360;

    /// <summary>The size of the variants chart, three bar charts in a row.</summary>
    public const int VariantsWidth = 960, VariantsHeight = 320;

    private const string Variants = "variants";

    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["success"] = "Success rate trend",
        ["cost"] = "Cost per case trend",
        ["latency"] = "Latency p95 trend",
        [Variants] = "Variants in this run",
    };

    /// <summary>
    /// The charts a run's context gets: the trends when there is history, the variants when there are two or more.
    /// summary.md links these; <see cref="WriteAsync"/> writes exactly these.
    /// </summary>
    public static IReadOnlyList<RunChart> For(ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var charts = TrendCharts.For(context.Trend).Select(t => new RunChart(t.Name, Titles[t.Name])).ToList();
        if (VariantGroups(context).Count >= 2)
        {
            charts.Add(new RunChart(Variants, Titles[Variants]));
        }

        return charts;
    }

    /// <summary>
    /// Writes the charts of <see cref="For"/> into <c>&lt;directory&gt;/charts/</c>, each file whole or not at all, and
    /// removes chart files an earlier writing left that this one does not draw (no history any more, one variant).
    /// </summary>
    public static async Task WriteAsync(ReportContext context, string directory, CancellationToken cancellationToken = default)
    {
        var charts = For(context);
        var folder = Path.Combine(directory, Folder);
        foreach (var (name, chart) in TrendCharts.For(context.Trend))
        {
            var plot = ChartImage.Trend(chart);
            await AtomicFile.WriteBytesAsync(Path.Combine(folder, $"{name}.png"), ChartImage.Png(plot, Width, Height), cancellationToken);
            await AtomicFile.WriteBytesAsync(Path.Combine(folder, $"{name}.svg"), ChartImage.Svg(plot, Width, Height), cancellationToken);
        }

        if (charts.Any(c => c.Name == Variants))
        {
            var groups = VariantGroups(context);
            // The latency axis in one unit: seconds when a bar reaches one (not "800 ms" under "1.00 s").
            Func<double, string> latencyTick = groups.Max(g => g.LatencyP95Ms) >= 1000
                ? v => (v / 1000).ToString("0.0# s", System.Globalization.CultureInfo.InvariantCulture)
                : v => v.ToString("0 ms", System.Globalization.CultureInfo.InvariantCulture);
            var bars = ChartImage.Bars(
                [.. groups.Select(g => g.Key)],
                [
                    ("Success rate", [.. groups.Select(g => (double?)g.SuccessRate)], v => Format.Percent(v), 1.0, null),
                    ("Cost per case (USD)", [.. groups.Select(g => CostPerCase(context, g.Key))], v => Format.Money((decimal)v),
                        null, v => "$" + v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)),
                    ("Latency p95", [.. groups.Select(g => (double?)g.LatencyP95Ms)], Format.Ms, null, latencyTick),
                ]);
            await AtomicFile.WriteBytesAsync(Path.Combine(folder, $"{Variants}.png"), ChartImage.Png(bars, VariantsWidth, VariantsHeight), cancellationToken);
            await AtomicFile.WriteBytesAsync(Path.Combine(folder, $"{Variants}.svg"), ChartImage.Svg(bars, VariantsWidth, VariantsHeight), cancellationToken);
        }

        foreach (var stale in Titles.Keys.Where(name => Directory.Exists(folder) && charts.All(c => c.Name != name)))
        {
            File.Delete(Path.Combine(folder, $"{stale}.png"));
            File.Delete(Path.Combine(folder, $"{stale}.svg"));
        }
    }

    /// <summary>A variant's cost per case as comparisons measure it (over its cases that ran); null when one is unpriced or none ran.</summary>
    private static double? CostPerCase(ReportContext context, string variant) =>
        SideStats.Of([.. context.Run.Cases.Where(c => c.Variant == variant)]) is { Measured: > 0, MeanCostUsd: { } cost } ? (double)cost : null;

    private static List<GroupSummary> VariantGroups(ReportContext context) => [.. context.Run.Groups.Where(g => g.Kind == "variant")];
}
