using EvalHarness.Core.Load;
using ScottPlot;

namespace EvalHarness.Reports.Charts;

/// <summary>
/// The picture of a load test: latency (p50 and p95 of the iterations finished in each second) above throughput
/// (cases and model calls finished per second), over the test's seconds. Drawn by ScottPlot like <see cref="RunCharts"/>.
/// </summary>
internal static class LoadCharts
{
    // Solid lines told apart by colour and marker: Skia's SVG canvas cannot draw dash patterns (it says so on stdout).
    private static readonly MarkerShape[] Markers = [MarkerShape.FilledCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.OpenDiamond, MarkerShape.FilledSquare];

    /// <summary>The picture's size in pixels: two plots, one above the other.</summary>
    public const int Width = 800, Height = 560;

    /// <summary>The two plots of <paramref name="load"/>'s timeline.</summary>
    public static Multiplot Draw(LoadResult load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 1);
        var seconds = load.Timeline.Select(s => (double)s.Second).ToArray();

        var latency = multiplot.GetPlot(0);
        ChartImage.Style(latency, "Latency per case over time");
        Line(latency, load.Timeline.Select(s => s.LatencyP50), seconds, "p50", 0);
        Line(latency, load.Timeline.Select(s => s.LatencyP95), seconds, "p95", 1);
        var recorded = latency.Add.HorizontalLine(load.RecordedModel.P50, 1, ChartImage.ColorOf(2));
        recorded.LegendText = "recorded model time (p50)";
        latency.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Format.Ms };

        var throughput = multiplot.GetPlot(1);
        ChartImage.Style(throughput, "Throughput over time");
        Line(throughput, load.Timeline.Select(s => (double?)s.Completed), seconds, "cases/s", 0);
        Line(throughput, load.Timeline.Select(s => (double?)s.ModelCalls), seconds, "model calls/s", 3);
        if (load.Ramp is not null)
        {
            Line(throughput, load.Timeline.Select(s => (double?)s.Concurrency), seconds, "at once (ramp)", 4);
        }

        throughput.Axes.Bottom.Label.Text = "seconds into the test";
        throughput.Axes.Bottom.Label.FontSize = 12;
        throughput.Axes.Left.Label.Text = "per second";
        throughput.Axes.Left.Label.FontSize = 12;
        foreach (var plot in new[] { latency, throughput })
        {
            plot.Axes.SetLimitsX(-0.5, Math.Max(1, seconds.Length) - 0.5);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.Axes.AutoScaleY();
            plot.Axes.SetLimitsY(0, Math.Max(1, plot.Axes.GetLimits().Top * 1.1));
            plot.ShowLegend(Edge.Bottom);
        }

        return multiplot;
    }

    /// <summary>Writes <c>load.png</c> and <c>load.svg</c> into <paramref name="directory"/>, each whole or not at all.</summary>
    public static async Task WriteAsync(LoadResult load, string directory, CancellationToken cancellationToken = default)
    {
        var chart = Draw(load);
        await AtomicFile.WriteBytesAsync(Path.Combine(directory, "load.png"), ChartImage.Png(chart, Width, Height), cancellationToken);
        await AtomicFile.WriteBytesAsync(Path.Combine(directory, "load.svg"), ChartImage.Svg(chart, Width, Height), cancellationToken);
    }

    private static void Line(Plot plot, IEnumerable<double?> values, double[] seconds, string name, int color)
    {
        // A second in which nothing finished has no latency: the line skips it rather than drop to zero.
        var points = values.Select((v, i) => (X: seconds[i], Y: v)).Where(p => p.Y is { } y && double.IsFinite(y)).ToArray();
        var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y!.Value).ToArray(), ChartImage.ColorOf(color));
        line.LegendText = name;
        line.LineWidth = 2;
        line.MarkerSize = points.Length > 60 ? 0 : 6;
        line.MarkerShape = Markers[color % Markers.Length];
    }

}
