namespace EvalHarness.Reports.Charts;

/// <summary>A trend chart: one or more series over the same x positions, rendered by <see cref="SvgChart"/>.</summary>
/// <param name="Title">The heading drawn above the plot, also the chart's accessible name.</param>
/// <param name="XLabels">One label per x position (a run, a date); thinned when there are many.</param>
/// <param name="Series">The lines, each with exactly one value per x label.</param>
public sealed record LineChart(string Title, IReadOnlyList<string> XLabels, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>The .NET numeric format of the y tick labels and tooltips: <c>"0%"</c> for rates 0..1, <c>"$0.0000"</c>, <c>"0 ms"</c>.</summary>
    public string YFormat { get; init; } = "0.##";

    /// <summary>A fixed bottom of the y axis (0 for rates); <see langword="null"/> takes it from the data, rounded to a tick.</summary>
    public double? YMin { get; init; }

    /// <summary>A fixed top of the y axis (1 for rates); <see langword="null"/> takes it from the data, rounded to a tick.</summary>
    public double? YMax { get; init; }

    /// <summary>The width of the SVG in pixels.</summary>
    public int Width { get; init; } = 480;

    /// <summary>The height of the SVG in pixels, title and legend included.</summary>
    public int Height { get; init; } = 200;
}
