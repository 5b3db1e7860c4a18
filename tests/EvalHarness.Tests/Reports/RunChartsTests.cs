using System.Buffers.Binary;
using System.Net;
using System.Text.RegularExpressions;
using EvalHarness.Core.Results;
using EvalHarness.Core.Statistics;
using EvalHarness.Reports;
using EvalHarness.Reports.Charts;
using EvalHarness.Reports.History;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

public sealed class RunChartsTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WriteAsync_WithHistoryAndTwoVariants_WritesRealPngsOfTheSetSize()
    {
        var directory = await WriteAsync(TwoVariantRun());

        var pngs = Directory.GetFiles(Path.Combine(directory, "charts"), "*.png").Select(Path.GetFileName).Order();
        Assert.Equal(["cost.png", "latency.png", "success.png", "variants.png"], pngs);
        foreach (var name in new[] { "success", "cost", "latency" })
        {
            AssertPng(Path.Combine(directory, "charts", $"{name}.png"), RunCharts.Width, RunCharts.Height);
        }

        AssertPng(Path.Combine(directory, "charts", "variants.png"), RunCharts.VariantsWidth, RunCharts.VariantsHeight);
        Assert.Empty(Directory.GetFiles(Path.Combine(directory, "charts"), "*.tmp"));
    }

    [Fact]
    public async Task WriteAsync_Svgs_HoldTheChartTitlesAsText()
    {
        var directory = await WriteAsync(TwoVariantRun());

        Assert.Contains("Success rate", SvgTexts(directory, "success"));
        Assert.Contains("Cost per case (USD)", SvgTexts(directory, "cost"));
        Assert.Contains("Latency p95 (ms)", SvgTexts(directory, "latency"));
        Assert.Contains("Success rate", SvgTexts(directory, "variants"));
        Assert.Contains("Latency p95", SvgTexts(directory, "variants"));
    }

    [Fact]
    public async Task WriteAsync_SetsEveryTextInASansFont()
    {
        // This machine has DejaVu Sans and DejaVu Serif; the chart library's own default face is the serif one here.
        var directory = await WriteAsync(TwoVariantRun());

        var families = Directory.GetFiles(Path.Combine(directory, "charts"), "*.svg")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "font-family=\"([^\"]+)\"").Select(m => m.Groups[1].Value)).Distinct().ToList();
        Assert.Equal(["DejaVu Sans"], families);
    }

    [Fact]
    public void Trend_ManyRunsInAMinute_ShowsAsManyTimeLabelsAsFit()
    {
        // 12 runs a few seconds apart are labelled to the second ("12-02 13:57:02"): eight of those would overlap.
        var labels = Enumerable.Range(0, 12).Select(i => $"12-02 13:57:{i * 5:00}").ToList();
        var chart = new LineChart("Cost per case (USD)", labels, [new ChartSeries("default", [.. labels.Select(_ => (double?)0.000157)])]) { YFormat = "$0.0000", YMin = 0 };

        var svg = System.Text.Encoding.UTF8.GetString(ChartImage.Svg(ChartImage.Trend(chart), RunCharts.Width, RunCharts.Height));

        var shown = labels.Where(l => svg.Contains(l, StringComparison.Ordinal)).ToList();
        Assert.Equal(["12-02 13:57:10", "12-02 13:57:25", "12-02 13:57:40", "12-02 13:57:55"], shown); // every third, the newest last
    }

    [Fact]
    public async Task Variants_CostPerCase_IsOverTheCasesThatRan()
    {
        // In "copy", b's cassette was missing: its $0 does not halve the variant's cost per case ($0.000159, as a's).
        var run = RunWriterTests.Run(
            RunWriterTests.Case("a", true), RunWriterTests.Case("b", true),
            RunWriterTests.Case("a", true, variant: "copy"), RunWriterTests.Case("b", false, variant: "copy") with { CostUsd = 0m, Error = "cassette not found" });

        var texts = SvgTexts(await WriteAsync(run), "variants");

        Assert.Equal(2, texts.Count(t => t == "$0.000159"));
        Assert.DoesNotContain("$0.00008", texts);
    }

    [Fact]
    public async Task SummaryMd_LinksExactlyTheChartPngsThatExist()
    {
        var directory = await WriteAsync(TwoVariantRun());

        var summary = await File.ReadAllTextAsync(Path.Combine(directory, "summary.md"), TestContext.Current.CancellationToken);
        var linked = Regex.Matches(summary, @"!\[[^\]]+\]\((charts/[^)]+\.png)\)").Select(m => m.Groups[1].Value).Order().ToList();
        var existing = Directory.GetFiles(Path.Combine(directory, "charts"), "*.png").Select(f => $"charts/{Path.GetFileName(f)}").Order().ToList();
        Assert.NotEmpty(linked);
        Assert.Equal(existing, linked);
    }

    [Fact]
    public async Task WriteAsync_HistoryGone_RemovesTheTrendChartsAndTheirLinks()
    {
        var run = RunWriterTests.Run(RunWriterTests.Case("a", true));
        var directory = await WriteAsync(run);
        Assert.True(File.Exists(Path.Combine(directory, "charts", "success.png")));

        await RunWriter.WriteReportsAsync(ReportContext.Create(run), directory, TestContext.Current.CancellationToken);

        Assert.Empty(Directory.GetFiles(Path.Combine(directory, "charts")));
        Assert.DoesNotContain("charts/", await File.ReadAllTextAsync(Path.Combine(directory, "summary.md"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trend_SingleRunHistory_ShowsEachVariantLabelledWithItsValue()
    {
        var directory = await WriteAsync(RunWriterTests.Run(RunWriterTests.Case("a", true), RunWriterTests.Case("b", false)));

        var texts = SvgTexts(directory, "success");
        Assert.Contains("default: 50%", texts);
        Assert.Contains("default", texts); // the legend
        Assert.Contains("11-22 10:15", texts); // the run on the x axis
    }

    [Fact]
    public async Task Trend_TwoIdenticalVariants_AreBothInTheLegend()
    {
        var directory = await WriteAsync(TwoVariantRun());

        var texts = SvgTexts(directory, "success");
        Assert.Contains("default", texts);
        Assert.Contains("copy", texts);
    }

    [Fact]
    public void Trend_TwoIdenticalVariants_GetDifferentMarkersAndOffsets()
    {
        var chart = new LineChart("Success rate", ["11-21 10:15", "11-22 10:15"], [new("default", [0.5, 1.0]), new("copy", [0.5, 1.0])]) { YMin = 0, YMax = 1 };

        var lines = ChartImage.Trend(chart).GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();

        Assert.Equal(2, lines.Count);
        Assert.NotEqual(lines[0].MarkerShape, lines[1].MarkerShape);
        Assert.NotEqual(lines[0].LinePattern.Name, lines[1].LinePattern.Name);
        Assert.NotEqual(lines[0].Data.GetScatterPoints()[0].X, lines[1].Data.GetScatterPoints()[0].X);
    }

    // Two variants with the same cases: their lines coincide.
    private static RunResult TwoVariantRun() => RunWriterTests.Run(
        RunWriterTests.Case("a", true), RunWriterTests.Case("b", false),
        RunWriterTests.Case("a", true, variant: "copy"), RunWriterTests.Case("b", false, variant: "copy"));

    // Writes the run's folder with the run itself as the suite's history, as a run appended to it sees it.
    private async Task<string> WriteAsync(RunResult run)
    {
        run = run with { Groups = GroupSummary.Of(run.Cases) };
        var history = run.Cases.Select(c => new HistoryEntry(run.RunId, run.StartedAt, run.Suite, c.Variant, c.Scenario, c.Trial, c.Passed, c.Error is not null, c.Steps, c.CostUsd, c.LatencyMs, ""));
        return await RunWriter.WriteAsync(ReportContext.Create(run, history: history), _temp.Path, TestContext.Current.CancellationToken);
    }

    private static List<string> SvgTexts(string directory, string chart) =>
        [.. Regex.Matches(File.ReadAllText(Path.Combine(directory, "charts", $"{chart}.svg")), @"<text[^>]*>\s*(.*?)\s*</text>", RegexOptions.Singleline)
            .Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }
}
