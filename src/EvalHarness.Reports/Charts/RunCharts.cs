using EvalHarness.Core.Comparison;
using EvalHarness.Core.Statistics;
using ScottPlot;

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

    private static readonly Lock WarmUpLock = new();
    private static Task? _warmUp;

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
    /// Starts drawing a first, throw-away chart on a thread of its own, once per process: the first drawing loads Skia and
    /// its fonts and lays out a first plot (about 50 ms), which is then done while the history and the baseline are read
    /// instead of after. <see cref="WriteAsync"/> waits for it.
    /// </summary>
    public static void WarmUp()
    {
        lock (WarmUpLock)
        {
            _warmUp ??= Task.Run(ChartImage.WarmUp);
        }
    }

    /// <summary>
    /// Writes the charts of <see cref="For"/> into <c>&lt;directory&gt;/charts/</c>, each file whole or not at all, and
    /// removes chart files an earlier writing left that this one does not draw (no history any more, one variant).
    /// </summary>
    /// <remarks>Two charts are drawn at a time: once the page is written the reports have only these left.</remarks>
    public static async Task WriteAsync(ReportContext context, string directory, CancellationToken cancellationToken = default)
    {
        var charts = For(context);
        var folder = Path.Combine(directory, Folder);
        // Each chart's PNG and SVG come from one plot, drawn in that order (a plot's second drawing lays its ticks out
        // from its first); the charts are drawn two at a time.
        List<(string Name, Func<(byte[] Png, byte[] Svg)> Draw)> pictures = [];
        foreach (var (name, chart) in TrendCharts.For(context.Trend))
        {
            pictures.Add((name, () =>
            {
                var plot = ChartImage.Trend(chart);
                return (ChartImage.Png(plot, Width, Height), ChartImage.Svg(plot, Width, Height));
            }));
        }

        if (charts.Any(c => c.Name == Variants))
        {
            pictures.Add((Variants, () =>
            {
                var bars = VariantBars(context, VariantGroups(context));
                return (ChartImage.Png(bars, VariantsWidth, VariantsHeight), ChartImage.Svg(bars, VariantsWidth, VariantsHeight));
            }));
        }

        if (pictures.Count > 0)
        {
            // A warm-up that failed is not this run's error: the drawing below meets the same problem and reports it.
            await (_warmUp ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Parallel.ForEachAsync(
                pictures,
                new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken },
                async (picture, ct) =>
                {
                    var (png, svg) = picture.Draw();
                    await AtomicFile.WriteBytesAsync(Path.Combine(folder, $"{picture.Name}.png"), png, ct);
                    await AtomicFile.WriteBytesAsync(Path.Combine(folder, $"{picture.Name}.svg"), svg, ct);
                });
        }

        foreach (var stale in Titles.Keys.Where(name => Directory.Exists(folder) && charts.All(c => c.Name != name)))
        {
            File.Delete(Path.Combine(folder, $"{stale}.png"));
            File.Delete(Path.Combine(folder, $"{stale}.svg"));
        }
    }

    /// <summary>This run's variants side by side: success, cost per case and latency, a bar each.</summary>
    private static Multiplot VariantBars(ReportContext context, List<GroupSummary> groups)
    {
        // The latency axis in one unit: seconds when a bar reaches one (not "800 ms" under "1.00 s").
        Func<double, string> latencyTick = groups.Max(g => g.LatencyP95Ms) >= 1000
            ? v => (v / 1000).ToString("0.0# s", System.Globalization.CultureInfo.InvariantCulture)
            : v => v.ToString("0 ms", System.Globalization.CultureInfo.InvariantCulture);
        return ChartImage.Bars(
            [.. groups.Select(g => g.Key)],
            [
                ("Success rate", [.. groups.Select(g => (double?)g.SuccessRate)], v => Format.Percent(v), 1.0, null),
                ("Cost per case (USD)", [.. groups.Select(g => CostPerCase(context, g.Key))], v => Format.Money((decimal)v),
                    null, v => "$" + v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)),
                ("Latency p95", [.. groups.Select(g => (double?)g.LatencyP95Ms)], Format.Ms, null, latencyTick),
            ]);
    }

    /// <summary>A variant's cost per case as comparisons measure it (over its cases that ran); null when one is unpriced or none ran.</summary>
    private static double? CostPerCase(ReportContext context, string variant) =>
        SideStats.Of([.. context.Run.Cases.Where(c => c.Variant == variant)]) is { Measured: > 0, MeanCostUsd: { } cost } ? (double)cost : null;

    private static List<GroupSummary> VariantGroups(ReportContext context) => [.. context.Run.Groups.Where(g => g.Kind == "variant")];
}
