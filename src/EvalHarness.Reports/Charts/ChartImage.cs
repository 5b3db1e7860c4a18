using System.Globalization;
using System.Text;
using ScottPlot;
using SkiaSharp;

namespace EvalHarness.Reports.Charts;

/// <summary>
/// Draws charts as PNG and SVG files with ScottPlot, for places that show a picture but run no page: a pull-request
/// comment, a CI job summary. Colours are fixed on a white background, unlike <see cref="SvgChart"/>'s
/// <c>currentColor</c>, so each series also gets its own marker and line pattern, and a small sideways offset: two
/// identical series are both visible, and the legend tells them apart without colour.
/// </summary>
internal static class ChartImage
{
    // The Okabe–Ito palette of SvgChart, with black for the eighth series: the background here is always white.
    private static readonly Color[] Palette = [.. new[] { "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000" }.Select(Color.FromHex)];

    private static readonly MarkerShape[] Markers =
    [
        MarkerShape.FilledCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.OpenDiamond,
        MarkerShape.FilledSquare, MarkerShape.OpenCircle, MarkerShape.FilledTriangleDown, MarkerShape.Eks,
    ];

    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    private const int MaxXLabels = 8;

    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.None, 6);

    // The plot's width inside a trend picture (RunCharts.Width less the axis labels' margin), and a tick label's
    // character at the chart library's 12 px, on average: enough to lay the x labels out.
    private const double PlotWidth = RunCharts.Width - 90, XCharWidth = 7.2;

    // Sans-serif families, most likely first on Linux, then macOS and Windows: the chart library's own choice is the
    // system's default face, which is a serif one on a Debian with only DejaVu installed.
    private static readonly string[] SansFamilies = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Helvetica", "Arial", "Segoe UI"];

    /// <summary>The font of every chart's text: the first installed of <see cref="SansFamilies"/>, else the chart library's choice.</summary>
    public static string Font { get; } = SansFamilies.FirstOrDefault(Installed) ?? Fonts.Sans;

    /// <summary>The colour of the series (or bar) at <paramref name="index"/>.</summary>
    public static Color ColorOf(int index) => Palette[index % Palette.Length];

    /// <summary>
    /// A line per series over the chart's x labels. A chart of a single run shows each series as a large marker labelled
    /// with its value, not a lone dot.
    /// </summary>
    public static Plot Trend(LineChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var plot = NewPlot(chart.Title);
        var count = chart.XLabels.Count;
        var single = count == 1;
        var drawn = chart.Series.Where(s => s.Values.Any(v => v is { } x && double.IsFinite(x))).ToList();
        // Sideways offsets keep identical series apart: at most a third of the gap between two runs in all.
        var step = drawn.Count < 2 ? 0 : Math.Min(0.08, 0.33 / (drawn.Count - 1));
        for (var s = 0; s < drawn.Count; s++)
        {
            var series = drawn[s];
            var index = IndexOf(chart, series);
            var offset = (s - ((drawn.Count - 1) / 2.0)) * step;
            var legend = true;
            foreach (var segment in Segments(series.Values))
            {
                var line = plot.Add.Scatter(segment.Select(p => p.X + offset).ToArray(), segment.Select(p => p.Y).ToArray(), ColorOf(index));
                line.MarkerShape = Markers[index % Markers.Length];
                line.MarkerSize = single ? 12 : 8;
                line.LineWidth = 2;
                line.LinePattern = Patterns[index % Patterns.Length];
                line.LegendText = legend ? series.Name : string.Empty;
                legend = false;
            }

            if (single && series.Values[0] is { } value)
            {
                // The labels stand in a column right of the last marker, so no marker covers one.
                var label = plot.Add.Text($"{series.Name}: {Format(value, chart.YFormat)}", (drawn.Count - 1) / 2.0 * step, value);
                label.Alignment = Alignment.MiddleLeft;
                label.OffsetX = 14;
                label.OffsetY = s * 15;
                label.LabelStyle.FontSize = 12;
                label.LabelStyle.ForeColor = ColorOf(index).Darken(0.3);
            }
        }

        // As many x labels as fit side by side, and room at each end for half of one, so that none is cut off.
        var labelWidth = (chart.XLabels.Max(l => l.Length) * XCharWidth) + 12;
        var shown = ChartAxis.ShownLabels(count, (int)Math.Clamp(PlotWidth / labelWidth, 1, MaxXLabels));
        plot.Axes.Bottom.SetTicks([.. shown.Select(i => (double)i)], [.. shown.Select(i => chart.XLabels[i])]);
        var end = Math.Max(0.5, labelWidth / 2 / (PlotWidth / count));
        // A single run keeps room on its right for the value labels.
        plot.Axes.SetLimitsX(-end, single ? 1.5 : count - 1 + end);
        var values = drawn.SelectMany(s => s.Values).OfType<double>().Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var axis = ChartAxis.For(values.Min(), values.Max(), chart.YMin, chart.YMax);
        var pad = (axis.Max - axis.Min) * 0.06;
        plot.Axes.SetLimitsY(axis.Min - (chart.YMin is null ? 0 : pad), axis.Max + pad);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. axis.Ticks], [.. axis.Labels(chart.YFormat)]);
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    /// <summary>This run's variants side by side: one bar chart per measure, each bar labelled with its value.</summary>
    /// <remarks>
    /// A measure with a <c>Ceiling</c> (a rate's 100%) gets ticks up to it, whatever room its bar labels need above;
    /// <c>Tick</c> writes the axis's numbers where the bars' own labels would be too long there (a cost's six decimals).
    /// </remarks>
    public static Multiplot Bars(
        IReadOnlyList<string> variants,
        IReadOnlyList<(string Title, IReadOnlyList<double?> Values, Func<double, string> Label, double? Ceiling, Func<double, string>? Tick)> measures)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(measures.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(1, measures.Count);
        for (var m = 0; m < measures.Count; m++)
        {
            var (title, values, label, ceiling, tick) = measures[m];
            var plot = multiplot.GetPlot(m);
            Style(plot, title);
            plot.Add.Bars(values.Select((v, i) => new Bar
            {
                Position = i,
                Value = v ?? 0,
                FillColor = ColorOf(i),
                Label = v is { } x ? label(x) : "n/a",
            }).ToArray());
            plot.Axes.Bottom.SetTicks([.. variants.Select((_, i) => (double)i)], [.. variants]);
            var top = values.OfType<double>().DefaultIfEmpty(0).Max();
            plot.Axes.SetLimits(-0.6, variants.Count - 0.4, 0, top > 0 ? top * 1.18 : 1);
            plot.Axes.Left.TickGenerator = ceiling is { } most
                ? new ScottPlot.TickGenerators.NumericManual([.. Enumerable.Range(0, 6).Select(i => most * i / 5)], [.. Enumerable.Range(0, 6).Select(i => (tick ?? label)(most * i / 5))])
                : new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = tick ?? label };
        }

        return multiplot;
    }

    /// <summary>Draws a small chart and throws it away: what every first drawing costs (Skia, the font, a first layout).</summary>
    public static void WarmUp() => Png(NewPlot(string.Empty), 64, 36);

    /// <summary>The PNG of a plot, <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static byte[] Png(Plot plot, int width, int height) => Png(width, height, canvas => plot.Render(canvas, width, height));
    /// <summary>The SVG of a plot; its text stays text.</summary>
    public static byte[] Svg(Plot plot, int width, int height) => Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height));

    /// <summary>The PNG of a multiplot.</summary>
    public static byte[] Png(Multiplot multiplot, int width, int height) =>
        Png(width, height, canvas => multiplot.Render(canvas, new PixelRect(0, width, height, 0)));

    /// <summary>
    /// Draws on a white surface and encodes it as PNG without row filters: libpng's default tries all five filters on every
    /// row to keep the best, which took most of a chart's time, and these flat-coloured pictures come out as small without.
    /// </summary>
    private static byte[] Png(int width, int height, Action<SKCanvas> draw)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        surface.Canvas.Clear(SKColors.White);
        draw(surface.Canvas);
        using var pixels = surface.PeekPixels();
        using var data = pixels.Encode(PngOptions) ?? throw new InvalidOperationException($"Skia could not encode a {width} × {height} chart as PNG.");
        return data.ToArray();
    }

    /// <summary>The SVG of a multiplot, drawn through Skia's SVG canvas as ScottPlot draws a single plot's.</summary>
    public static byte[] Svg(Multiplot multiplot, int width, int height)
    {
        using var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
        {
            canvas.Clear(SKColors.White);
            multiplot.Render(canvas, new PixelRect(0, width, height, 0));
        }

        return stream.ToArray();
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        Style(plot, title);
        return plot;
    }

    /// <summary>The chart style both chart kinds share: the sans font, the title, a white background.</summary>
    internal static void Style(Plot plot, string title)
    {
        plot.Font.Set(Font);
        plot.Title(title, 14);
        plot.FigureBackground.Color = Colors.White;
    }

    private static bool Installed(string family)
    {
        using var face = SKFontManager.Default.MatchFamily(family);
        return face is not null && string.Equals(face.FamilyName, family, StringComparison.OrdinalIgnoreCase);
    }

    private static int IndexOf(LineChart chart, ChartSeries series)
    {
        for (var i = 0; i < chart.Series.Count; i++)
        {
            if (ReferenceEquals(chart.Series[i], series))
            {
                return i;
            }
        }

        return 0;
    }

    // The runs of consecutive values of a series: a missing value breaks the line, as in SvgChart.
    private static IEnumerable<List<(double X, double Y)>> Segments(IReadOnlyList<double?> values)
    {
        var segment = new List<(double X, double Y)>();
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } value && double.IsFinite(value))
            {
                segment.Add((i, value));
            }
            else if (segment.Count > 0)
            {
                yield return segment;
                segment = [];
            }
        }

        if (segment.Count > 0)
        {
            yield return segment;
        }
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
