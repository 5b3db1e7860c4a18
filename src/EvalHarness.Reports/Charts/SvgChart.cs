using System.Globalization;
using System.Text;

namespace EvalHarness.Reports.Charts;

/// <summary>
/// Renders a <see cref="LineChart"/> as one self-contained inline SVG: no script, no external fonts, the same bytes
/// for the same chart. Text and axes are drawn in <c>currentColor</c>, so they follow a light or dark page.
/// </summary>
/// <remarks>
/// Each series is a group <c>&lt;g class="series-N" color="…"&gt;</c> (N is the series index modulo 8) whose line,
/// points and legend swatch are drawn in <c>currentColor</c>. The <c>color</c> presentation attribute gives the
/// default, a colour-blind-safe palette (Okabe–Ito); a page restyles a series with one rule such as
/// <c>.series-0 { color: teal; }</c>, because any CSS rule outranks a presentation attribute.
/// </remarks>
public static class SvgChart
{
    private const double CharWidth = 6.2; // an 11px sans-serif character, on average: enough to lay out labels
    private const double Pad = 8;
    private const double Inset = 6; // keeps the first and last points off the plot's edges
    private const double LegendRow = 16;
    private const double XLabelBand = 20;
    private const int MaxXLabels = 8;

    // Okabe & Ito without black, which would vanish on a dark page; the eighth series takes the page's text colour.
    private static readonly string[] Palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "currentColor"];

    /// <summary>Renders <paramref name="chart"/>; a chart without a single value renders a small "No data yet" SVG.</summary>
    /// <exception cref="ArgumentException">A series' value count differs from the x label count, or the fixed y bounds are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is below 120×80 or above 10000 pixels.</exception>
    public static string Render(LineChart chart)
    {
        Validate(chart);
        var values = chart.Series.SelectMany(series => series.Values).OfType<double>().Where(double.IsFinite).ToArray();
        if (chart.XLabels.Count == 0 || values.Length == 0)
        {
            return Empty(chart);
        }

        var axis = ChartAxis.For(values.Min(), values.Max(), chart.YMin, chart.YMax);
        var yLabels = axis.Labels(chart.YFormat).Select(Escape).ToArray();
        var (legend, legendRows) = LayoutLegend(chart);
        var left = Math.Min(chart.Width / 3.0, Pad + 6 + (yLabels.Max(label => label.Length) * CharWidth));
        var right = chart.Width - Math.Max(Pad, (chart.XLabels[^1].Length * CharWidth / 2) - Inset);
        var bottom = chart.Height - (Pad / 2) - (legendRows * LegendRow) - XLabelBand;
        var frame = new Frame(left, 28, right, Math.Max(48, bottom), chart.XLabels.Count, axis);

        var svg = Open(chart, chart.Height);
        for (var i = 0; i < axis.Ticks.Count; i++)
        {
            var y = N(frame.Y(axis.Ticks[i]));
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{N(left)}\" y1=\"{y}\" x2=\"{N(right)}\" y2=\"{y}\" stroke=\"currentColor\" stroke-opacity=\"0.15\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"y-label\" x=\"{N(left - 6)}\" y=\"{N(frame.Y(axis.Ticks[i]) + 4)}\" text-anchor=\"end\">{yLabels[i]}</text>");
        }

        var maxLabels = (int)Math.Clamp((right - left) / ((chart.XLabels.Max(label => label.Length) * CharWidth) + 8), 1, MaxXLabels);
        foreach (var i in ChartAxis.ShownLabels(chart.XLabels.Count, maxLabels))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"x-label\" x=\"{N(frame.X(i))}\" y=\"{N(frame.Bottom + 15)}\" text-anchor=\"middle\">{Escape(chart.XLabels[i])}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(left)}\" y1=\"{N(frame.Bottom)}\" x2=\"{N(right)}\" y2=\"{N(frame.Bottom)}\" stroke=\"currentColor\" stroke-opacity=\"0.4\"/>");
        for (var s = 0; s < chart.Series.Count; s++)
        {
            Series(svg, chart, s, frame, legend[s]);
        }

        return svg.Append("</svg>").ToString();
    }

    private static void Series(StringBuilder svg, LineChart chart, int index, Frame frame, (double X, int Row) legend)
    {
        var series = chart.Series[index];
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"series-{index % Palette.Length}\" color=\"{Palette[index % Palette.Length]}\" fill=\"currentColor\" stroke=\"currentColor\">");
        var path = new StringBuilder();
        var points = new StringBuilder();
        var penDown = false;
        for (var i = 0; i < series.Values.Count; i++)
        {
            if (series.Values[i] is not { } value || !double.IsFinite(value))
            {
                penDown = false; // a gap: the next point starts a new subpath with M
                continue;
            }

            var (x, y) = (N(frame.X(i)), N(frame.Y(value)));
            path.Append(path.Length == 0 ? "" : " ").Append(penDown ? 'L' : 'M').Append(x).Append(' ').Append(y);
            penDown = true;
            var tooltip = $"{series.Name} · {chart.XLabels[i]} · {value.ToString(chart.YFormat, CultureInfo.InvariantCulture)}";
            points.Append(Marker(index, frame.X(i), frame.Y(value), Escape(tooltip)));
        }

        // Series that coincide (two variants with the same results) stay visible: each later series is dashed over
        // the ones before it, so their colours alternate along the line, and has a marker of its own shape.
        var dash = Dashes[index % Dashes.Length] is { Length: > 0 } d ? $" stroke-dasharray=\"{d}\"" : string.Empty;
        if (path.Length > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{dash}/>");
        }

        var rowY = frame.Bottom + XLabelBand + (legend.Row * LegendRow) + (LegendRow / 2);
        svg.Append(points)
            .Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(legend.X)}\" y1=\"{N(rowY)}\" x2=\"{N(legend.X + 14)}\" y2=\"{N(rowY)}\" stroke-width=\"2\"{dash}/></g>")
            .Append(CultureInfo.InvariantCulture, $"<text class=\"legend\" x=\"{N(legend.X + 18)}\" y=\"{N(rowY + 4)}\">{Escape(series.Name)}</text>");
    }

    /// <summary>Each series' line: solid, then dashes that let the lines under it show through.</summary>
    private static readonly string[] Dashes = [string.Empty, "6 4", "2 4", "10 4 2 4"];

    /// <summary>A point: a circle, square, triangle or diamond by series, with its value as a tooltip.</summary>
    private static string Marker(int series, double x, double y, string tooltip)
    {
        var title = $"<title>{tooltip}</title>";
        return (series % 4) switch
        {
            0 => $"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"3\" stroke=\"none\">{title}</circle>",
            1 => $"<rect x=\"{N(x - 3)}\" y=\"{N(y - 3)}\" width=\"6\" height=\"6\" stroke=\"none\">{title}</rect>",
            2 => $"<path d=\"M{N(x)} {N(y - 4)} L{N(x + 4)} {N(y + 3)} L{N(x - 4)} {N(y + 3)} Z\" stroke=\"none\">{title}</path>",
            _ => $"<path d=\"M{N(x)} {N(y - 4)} L{N(x + 4)} {N(y)} L{N(x)} {N(y + 4)} L{N(x - 4)} {N(y)} Z\" stroke=\"none\">{title}</path>",
        };
    }

    // Legend entries flow left to right and wrap; returns each entry's x and row, and the number of rows.
    private static ((double X, int Row)[] Entries, int Rows) LayoutLegend(LineChart chart)
    {
        var entries = new (double X, int Row)[chart.Series.Count];
        var (x, row) = (Pad, 0);
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var width = 18 + (chart.Series[s].Name.Length * CharWidth) + 14;
            if (x > Pad && x + width > chart.Width - Pad)
            {
                (x, row) = (Pad, row + 1);
            }

            entries[s] = (x, row);
            x += width;
        }

        return (entries, chart.Series.Count == 0 ? 0 : row + 1);
    }

    private static string Empty(LineChart chart) =>
        Open(chart, 56).Append(CultureInfo.InvariantCulture, $"<text class=\"empty\" x=\"{Pad}\" y=\"42\" opacity=\"0.7\">No data yet</text></svg>").ToString();

    private static StringBuilder Open(LineChart chart, int height)
    {
        var title = Escape(chart.Title);
        return new StringBuilder(4096)
            .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{chart.Width}\" height=\"{height}\" viewBox=\"0 0 {chart.Width} {height}\" role=\"img\" aria-label=\"{title}\" fill=\"currentColor\" font-family=\"system-ui, sans-serif\" font-size=\"11\">")
            .Append(CultureInfo.InvariantCulture, $"<text class=\"title\" x=\"{Pad}\" y=\"16\" font-size=\"13\" font-weight=\"600\">{title}</text>");
    }

    private static void Validate(LineChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentOutOfRangeException.ThrowIfLessThan(chart.Width, 120, nameof(chart));
        ArgumentOutOfRangeException.ThrowIfLessThan(chart.Height, 80, nameof(chart));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chart.Width, 10000, nameof(chart));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chart.Height, 10000, nameof(chart));
        if ((chart.YMin is { } min && !double.IsFinite(min)) || (chart.YMax is { } max && !double.IsFinite(max)) || chart.YMin >= chart.YMax)
        {
            throw new ArgumentException($"The y bounds of chart '{chart.Title}' must be finite with YMin below YMax.", nameof(chart));
        }

        if (chart.Series.FirstOrDefault(series => series.Values.Count != chart.XLabels.Count) is { } wrong)
        {
            throw new ArgumentException($"Series '{wrong.Name}' has {wrong.Values.Count} values for {chart.XLabels.Count} x labels.", nameof(chart));
        }
    }

    // Two decimals at most, invariant: coordinates are the same bytes on every machine.
    private static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    // XML-escapes text and drops the characters XML cannot hold; EnumerateRunes turns a lone surrogate into U+FFFD.
    private static string Escape(string? text)
    {
        var escaped = new StringBuilder(text?.Length ?? 0);
        foreach (var rune in (text ?? "").EnumerateRunes())
        {
            _ = rune.Value switch
            {
                '&' => escaped.Append("&amp;"),
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                '"' => escaped.Append("&quot;"),
                '\'' => escaped.Append("&#39;"),
                '\t' or '\n' or '\r' => escaped.Append(' '),
                < 0x20 or 0xFFFE or 0xFFFF => escaped,
                _ => escaped.Append(rune.ToString()),
            };
        }

        return escaped.ToString();
    }

    private sealed record Frame(double Left, double Top, double Right, double Bottom, int Points, ChartAxis Axis)
    {
        public double X(int index) =>
            Points == 1 ? (Left + Right) / 2 : Left + Inset + (index * (Right - Left - (2 * Inset)) / (Points - 1));

        public double Y(double value) =>
            Bottom - ((Bottom - Top) * (Math.Clamp(value, Axis.Min, Axis.Max) - Axis.Min) / (Axis.Max - Axis.Min));
    }
}
