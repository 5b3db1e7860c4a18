using System.Text.Json;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

public sealed class CaseSpoolTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CaseResult[] Cases() =>
    [
        RunWriterTests.Case("a", true) with { Index = 0, Trace = [new(1, 0, "agent", "agent", 0, 5, "ok", new Dictionary<string, string> { ["model"] = "gpt-4o-mini" })] },
        RunWriterTests.Case("b", false, "I could not.") with { Index = 1 },
        RunWriterTests.Case("c", true, "Done, with \"quotes\" and ünïcode.") with { Index = 2 },
    ];

    private static string Json(CaseResult c) => JsonSerializer.Serialize(c, ResultsJsonContext.Default.CaseResult);

    [Fact]
    public void Add_KeepsTheSummaryInMemoryAndTheDetailsOnDisk()
    {
        using var spool = new CaseSpool(_temp.Path);
        var full = Cases()[0];

        var slim = spool.Add(full);

        Assert.Empty(slim.Transcript);
        Assert.Empty(slim.ToolCalls);
        Assert.Empty(slim.Trace);
        Assert.Equal((full.Scenario, full.Passed, full.CostUsd, full.FinalOutput), (slim.Scenario, slim.Passed, slim.CostUsd, slim.FinalOutput));
        Assert.Equal(full.Verdicts, slim.Verdicts);
        Assert.Equal(Json(full), Json(spool.Read(full.Index)!));
        Assert.Null(spool.Read(99));
    }

    [Fact]
    public void Add_SameIndexTwice_IsRefused()
    {
        using var spool = new CaseSpool(_temp.Path);
        spool.Add(Cases()[0]);

        Assert.Throws<InvalidOperationException>(() => spool.Add(Cases()[1] with { Index = 0 }));
    }

    [Fact]
    public void Dispose_DeletesTheSpoolFile_MadeByItsFirstCase()
    {
        var spool = new CaseSpool(_temp.Path);
        Assert.Empty(Directory.GetFiles(_temp.Path)); // a run that keeps its cases in memory makes no file
        spool.Add(Cases()[0]);
        Assert.True(File.Exists(spool.Path));

        spool.Dispose();

        Assert.False(File.Exists(spool.Path));
    }

    [Fact]
    public async Task SpooledRun_WritesTheSameFilesAsTheRunHeldInMemory()
    {
        var inMemory = RunWriterTests.Run(Cases());
        using var spool = new CaseSpool(_temp.Path);
        var spooled = inMemory with { Cases = [.. Cases().Select(spool.Add)], Spool = spool };
        Assert.All(spooled.Cases, c => Assert.Empty(c.Transcript));

        var a = await RunWriter.WriteAsync(inMemory, _temp.Combine("memory"), Ct);
        var b = await RunWriter.WriteAsync(spooled, _temp.Combine("spooled"), Ct);

        foreach (var file in RunWriter.ReportFiles.Append("results.json"))
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(a, file), Ct), await File.ReadAllTextAsync(Path.Combine(b, file), Ct));
        }

        Assert.Contains("I could not.", await File.ReadAllTextAsync(Path.Combine(b, "results.json"), Ct), StringComparison.Ordinal);
        Assert.Contains("\"transcript\"", await File.ReadAllTextAsync(Path.Combine(b, "results.json"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeRun_StreamedFilesEqualTheRenderedText()
    {
        // 1,200 cases: enough for the streamed writers to flush part-way through.
        var run = RunWriterTests.Run([.. Enumerable.Range(0, 1_200).Select(i => RunWriterTests.Case($"s{i}", i % 5 != 0, $"Answer {i} with a longer text to fill the page.") with { Index = i })]);
        var context = ReportContext.Create(run);

        await EvalHarness.Reports.Html.HtmlReportWriter.WriteAsync(context, _temp.Combine("report.html"), Ct);
        await EvalHarness.Reports.Junit.JunitXml.WriteAsync(run, _temp.Combine("junit.xml"), Ct);

        Assert.Equal(EvalHarness.Reports.Html.HtmlReportWriter.Render(context), await File.ReadAllTextAsync(_temp.Combine("report.html"), Ct));
        Assert.Equal(EvalHarness.Reports.Junit.JunitXml.Render(run), await File.ReadAllTextAsync(_temp.Combine("junit.xml"), Ct));
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", await File.ReadAllTextAsync(_temp.Combine("junit.xml"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public void Add_KeepsOnlyTheCountersThatAreNotZero()
    {
        using var spool = new CaseSpool(_temp.Path);

        var slim = spool.Add(Cases()[0] with { Counters = new Dictionary<string, int> { ["retries"] = 2, ["repairs"] = 0 } });

        Assert.Equal(new Dictionary<string, int> { ["retries"] = 2 }, slim.Counters);
        Assert.Equal(0, spool.Read(0)!.Counters["repairs"]);
    }
}
