using System.Globalization;
using System.Xml.Linq;
using EvalHarness.Reports.Charts;

namespace EvalHarness.Tests.Reports;

public sealed class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static LineChart Chart(params double?[] values) =>
        new("Success rate", values.Select((_, i) => $"r{i + 1}").ToArray(), [new("gpt-4o-mini", values)]);

    private static XElement Parse(string svg) => XDocument.Parse(svg).Root!;

    private static double Number(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static string[] Texts(XElement root, string cssClass) =>
        root.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == cssClass).Select(t => t.Value).ToArray();

    [Theory]
    [InlineData(0, 1, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(0, 37, new[] { 0.0, 10, 20, 30, 40 })]
    [InlineData(0.13, 0.87, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(812.5, 1430, new[] { 800.0, 1000, 1200, 1400, 1600 })]
    [InlineData(-3, 4, new[] { -4.0, -2, 0, 2, 4 })]
    [InlineData(0.00012, 0.00049, new[] { 0.0001, 0.0002, 0.0003, 0.0004, 0.0005 })]
    public void ChartAxisFor_DataRange_GivesNiceTicksCoveringIt(double min, double max, double[] expected)
    {
        var axis = ChartAxis.For(min, max);

        Assert.Equal(expected, axis.Ticks);
        Assert.Equal(expected[0], axis.Min);
        Assert.Equal(expected[^1], axis.Max);
    }

    [Fact]
    public void ChartAxisFor_FixedBounds_KeepsThemExactly()
    {
        var rate = ChartAxis.For(0.4, 0.6, 0, 1);
        var floor = ChartAxis.For(3, 37, fixedMin: 0);

        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1], rate.Ticks);
        Assert.Equal((0.0, 1.0), (rate.Min, rate.Max));
        Assert.Equal([0.0, 10, 20, 30, 40], floor.Ticks);
        Assert.Equal((0.0, 40.0), (floor.Min, floor.Max));
        Assert.Throws<ArgumentException>(() => ChartAxis.For(0, 1, 1, 0));
    }

    [Fact]
    public void ChartAxisLabels_TakeTheDecimalsTheTicksNeed()
    {
        var cost = ChartAxis.For(0, 0.0002, fixedMin: 0);

        Assert.Equal(["$0.0000", "$0.00005", "$0.0001", "$0.00015", "$0.0002"], cost.Labels("$0.0000")); // "$0.0001" twice before
        Assert.Equal(["0%", "20%", "40%", "60%", "80%", "100%"], ChartAxis.For(0.4, 0.6, 0, 1).Labels("0%"));
        Assert.Equal(["0 ms", "10 ms", "20 ms", "30 ms", "40 ms"], ChartAxis.For(3, 37, fixedMin: 0).Labels("0 ms"));
    }

    [Theory]
    [InlineData(5, 8, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(8, 8, new[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(9, 8, new[] { 0, 2, 4, 6, 8 })]
    [InlineData(20, 8, new[] { 1, 4, 7, 10, 13, 16, 19 })]
    [InlineData(3, 1, new[] { 2 })]
    public void ChartAxisShownLabels_ThinsEvenlyAndKeepsTheLast(int count, int max, int[] expected) =>
        Assert.Equal(expected, ChartAxis.ShownLabels(count, max));

    [Fact]
    public void Render_RateChart_IsWellFormedSvgWithFormattedTicksAndAccessibleName()
    {
        var root = Parse(SvgChart.Render(Chart(0.5, 0.75, 0.8) with { YFormat = "0%", YMin = 0, YMax = 1 }));

        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("img", (string?)root.Attribute("role"));
        Assert.Equal("Success rate", (string?)root.Attribute("aria-label"));
        Assert.Equal(["0%", "20%", "40%", "60%", "80%", "100%"], Texts(root, "y-label"));
        Assert.Equal(["r1", "r2", "r3"], Texts(root, "x-label"));
        Assert.Equal(["gpt-4o-mini"], Texts(root, "legend"));
        Assert.Equal(["gpt-4o-mini · r1 · 50%", "gpt-4o-mini · r2 · 75%", "gpt-4o-mini · r3 · 80%"],
            root.Descendants(Svg + "circle").Select(c => c.Element(Svg + "title")!.Value));
        Assert.DoesNotContain("script", SvgChart.Render(Chart(0.5)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Render_TwoSeriesWithTheSameValues_StayTellable_ByDashAndMarkerShape()
    {
        var chart = new LineChart("Success rate", ["r1", "r2"], [new("default", [0.5, 0.75]), new("streaming", [0.5, 0.75])]);

        var root = Parse(SvgChart.Render(chart));
        var lines = root.Descendants(Svg + "path").Where(p => (string?)p.Attribute("fill") == "none").ToArray();

        Assert.Equal(2, lines.Length);
        Assert.Null(lines[0].Attribute("stroke-dasharray"));
        Assert.NotNull(lines[1].Attribute("stroke-dasharray"));
        Assert.Equal(["default · r1 · 0.5", "default · r2 · 0.75"], root.Descendants(Svg + "circle").Select(c => c.Element(Svg + "title")!.Value));
        Assert.Equal(["streaming · r1 · 0.5", "streaming · r2 · 0.75"], root.Descendants(Svg + "rect").Select(c => c.Element(Svg + "title")!.Value));
        Assert.Equal(["default", "streaming"], Texts(root, "legend"));
    }

    [Fact]
    public void Render_HigherValue_IsHigherUpAndTheBoundsMeetThePlotEdges()
    {
        var root = Parse(SvgChart.Render(Chart(0, 0.5, 1) with { YMin = 0, YMax = 1 }));
        var ys = root.Descendants(Svg + "circle").Select(c => Number(c, "cy")).ToArray();
        var gridYs = root.Descendants(Svg + "line").Where(l => (string?)l.Attribute("class") == "grid").Select(l => Number(l, "y1")).ToArray();

        Assert.True(ys[0] > ys[1] && ys[1] > ys[2], $"y coordinates {string.Join(", ", ys)} should fall as values rise.");
        Assert.Equal(gridYs.Max(), ys[0]); // 0 on the bottom line of the plot
        Assert.Equal(gridYs.Min(), ys[2]); // 1 on the top line
        Assert.Equal((ys[0] + ys[2]) / 2, ys[1], 0.01);
    }

    [Fact]
    public void Render_NullValues_BreakTheLineIntoSubpaths()
    {
        var root = Parse(SvgChart.Render(Chart(1, 2, null, 3, 4)));
        var d = (string)root.Descendants(Svg + "path").Single().Attribute("d")!;

        Assert.Equal(2, d.Count(c => c == 'M'));
        Assert.Equal(2, d.Count(c => c == 'L'));
        Assert.Equal(4, root.Descendants(Svg + "circle").Count());
    }

    [Fact]
    public void Render_MarkupInNames_IsEscaped()
    {
        const string Evil = "<script>alert('x')</script> & \"friends\"\u0001";
        var chart = new LineChart(Evil, ["a", Evil], [new(Evil, [1, 2])]);

        var svg = SvgChart.Render(chart);
        var root = Parse(svg);

        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(root.Descendants(), e => e.Name.LocalName == "script");
        Assert.Equal(Evil.TrimEnd('\u0001'), (string?)root.Attribute("aria-label"));
        Assert.Equal([Evil.TrimEnd('\u0001')], Texts(root, "legend"));
        Assert.Contains(Evil.TrimEnd('\u0001'), Texts(root, "x-label"));
    }

    [Fact]
    public void Render_SinglePoint_DrawsOneDotInTheMiddle()
    {
        var svg = SvgChart.Render(Chart(0.42));
        var root = Parse(svg);
        var dot = root.Descendants(Svg + "circle").Single();
        var grid = root.Descendants(Svg + "line").First(l => (string?)l.Attribute("class") == "grid");

        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", svg, StringComparison.Ordinal);
        Assert.Equal((Number(grid, "x1") + Number(grid, "x2")) / 2, Number(dot, "cx"), 0.01);
    }

    [Fact]
    public void Render_AllEqualValues_DrawAFlatLineInsideASensibleAxis()
    {
        var svg = SvgChart.Render(Chart(3, 3, 3, 3));
        var root = Parse(svg);
        var ys = root.Descendants(Svg + "circle").Select(c => Number(c, "cy")).Distinct().ToArray();
        var labels = Texts(root, "y-label");

        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.Single(ys);
        Assert.InRange(labels.Length, 3, 7);
        Assert.True(double.Parse(labels[0], CultureInfo.InvariantCulture) < 3 && double.Parse(labels[^1], CultureInfo.InvariantCulture) > 3);
    }

    [Fact]
    public void Render_ManyPoints_ShowsAtMostEightXLabelsIncludingTheLast()
    {
        var values = Enumerable.Range(0, 30).Select(i => (double?)i).ToArray();

        var labels = Texts(Parse(SvgChart.Render(Chart(values))), "x-label");

        Assert.InRange(labels.Length, 4, 8);
        Assert.Equal("r30", labels[^1]);
    }

    [Fact]
    public void Render_SameChartTwice_IsByteForByteIdenticalInAnyCulture()
    {
        var chart = new LineChart("Cost per case", ["2026-11-01", "2026-11-02", "2026-11-03"],
            [new("a", [0.000159, 0.00021, null]), new("b", [0.0003, 0.00011, 0.00009])]) { YFormat = "$0.0000" };
        var first = SvgChart.Render(chart);
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(first, SvgChart.Render(chart));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Contains("$0.0002", first, StringComparison.Ordinal);
        Assert.Contains("class=\"series-1\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NineSeries_CycleThroughEightClasses()
    {
        var series = Enumerable.Range(0, 9).Select(i => new ChartSeries($"s{i}", [i, i + 1.0])).ToArray();

        var groups = Parse(SvgChart.Render(new LineChart("Many", ["a", "b"], series))).Elements(Svg + "g");

        Assert.Equal(["series-0", "series-1", "series-2", "series-3", "series-4", "series-5", "series-6", "series-7", "series-0"],
            groups.Select(g => (string)g.Attribute("class")!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Render_NoData_SaysNoDataYet(int shape)
    {
        var chart = shape switch
        {
            0 => new LineChart("Empty", [], []),
            1 => new LineChart("No series", ["r1", "r2"], []),
            _ => new LineChart("All gaps", ["r1", "r2"], [new("a", [null, null])]),
        };

        var root = Parse(SvgChart.Render(chart));

        Assert.Equal("No data yet", Texts(root, "empty").Single());
        Assert.Empty(root.Descendants(Svg + "circle"));
    }

    [Fact]
    public void Render_ValueCountDiffersFromLabels_Throws() =>
        Assert.Throws<ArgumentException>(() => SvgChart.Render(new LineChart("Bad", ["r1", "r2"], [new("a", [1])])));

    [Fact]
    public void Render_InvalidBoundsOrSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => SvgChart.Render(Chart(1, 2) with { YMin = 1, YMax = 1 }));
        Assert.Throws<ArgumentException>(() => SvgChart.Render(Chart(1, 2) with { YMax = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SvgChart.Render(Chart(1, 2) with { Width = 10 }));
    }
}
