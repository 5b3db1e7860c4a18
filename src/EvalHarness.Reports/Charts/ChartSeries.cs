namespace EvalHarness.Reports.Charts;

/// <summary>One line of a <see cref="LineChart"/>.</summary>
/// <param name="Name">The name shown in the legend and the point tooltips.</param>
/// <param name="Values">One value per x position of the chart; <see langword="null"/> leaves a gap in the line.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values);
