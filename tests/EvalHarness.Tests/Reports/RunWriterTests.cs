using System.Text.RegularExpressions;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.Html;
using EvalHarness.Reports.Json;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

public sealed class RunWriterTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    internal static CaseResult Case(string scenario, bool passed, string output = "Refunded.", string variant = "default") => new()
    {
        Suite = "support",
        Variant = variant,
        Scenario = scenario,
        Trial = 1,
        CassetteId = $"support/{variant}/{scenario}/t1",
        Tags = ["refund"],
        Model = "openai:gpt-4o-mini",
        Passed = passed,
        Outcome = "completed",
        OutcomeReason = "The model gave a final answer.",
        FinalOutput = output,
        Steps = 2,
        ToolCallCount = 1,
        ToolErrors = 0,
        InputTokens = 900,
        OutputTokens = 40,
        CostUsd = 0.000159m,
        ModelLatencyMs = 812.5,
        HarnessMs = 1.2,
        LatencyMs = 813.7,
        Verdicts = [new("output.contains", passed, passed ? "The output contains \"refund\"." : "The output does not contain \"refund\".")],
        ToolCalls = [new(1, "orders.refund_order", """{"order_id":"A100"}""", """{"status":"refunded"}""", false)],
        Transcript = [new("user", "Refund A100"), new("assistant", output)],
    };

    internal static RunResult Run(params CaseResult[] cases) => new()
    {
        RunId = "20261122-101500-support-abc123",
        Suite = "support",
        SuiteFile = "suites/support.yaml",
        Mode = "replay",
        StartedAt = new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.Zero),
        DurationMs = 120,
        PricingVersion = "2026-11-01",
        Summary = RunSummary.Of(cases),
        Cases = cases,
    };

    [Fact]
    public async Task WriteAsync_WritesResultsAndEveryReportInTheRunFolder()
    {
        var directory = await RunWriter.WriteAsync(Run(Case("a", true)), _temp.Path, Ct);

        Assert.Equal(_temp.Combine("runs", "20261122-101500-support-abc123"), directory);
        Assert.Equal(["cases.csv", "junit.xml", "report.html", "results.json", "summary.md"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task ResultsJson_RoundTripsTheRun()
    {
        var run = Run(Case("a", true), Case("b", false));
        var path = _temp.Combine("results.json");

        await ResultsJson.WriteAsync(run, path, Ct);
        var read = await ResultsJson.ReadAsync(path, Ct);

        Assert.Equal(run.Summary, read.Summary);
        Assert.Equal(run.Cases[1].Verdicts, read.Cases[1].Verdicts);
        Assert.Equal(run.Cases[0].ToolCalls, read.Cases[0].ToolCalls);
        Assert.Equal(run.Cases[0].LatencyMs, read.Cases[0].LatencyMs);
        Assert.Contains("\"runId\": \"20261122-101500-support-abc123\"", await File.ReadAllTextAsync(path, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResultsJson_OutcomeIsItsNameAndAnOutcomeAs010WroteItReadsAsItsName()
    {
        var path = _temp.Combine("results.json");
        await ResultsJson.WriteAsync(Run(Case("a", true) with { Outcome = "max_steps" }), path, Ct);
        var text = await File.ReadAllTextAsync(path, Ct);
        Assert.Contains("\"outcome\": \"max_steps\"", text, StringComparison.Ordinal);

        // 0.1.0 wrote MaxSteps: a baseline or history of that version still reads as the same outcome.
        await File.WriteAllTextAsync(path, text.Replace("\"outcome\": \"max_steps\"", "\"outcome\": \"MaxSteps\"", StringComparison.Ordinal), Ct);
        var read = await ResultsJson.ReadAsync(path, Ct);

        Assert.Equal("max_steps", read.Cases[0].Outcome);
    }

    [Fact]
    public async Task CasesCsv_HasSnakeCaseHeaderAndEscapesFormulas()
    {
        var run = Run(Case("a", false));
        var path = _temp.Combine("cases.csv");

        await EvalHarness.Reports.Csv.CaseCsvWriter.WriteAsync(run with { Cases = [run.Cases[0] with { Tags = ["=HYPERLINK(\"x\")"] }] }, path, Ct);
        var lines = await File.ReadAllLinesAsync(path, Ct);

        Assert.Equal("run_id,suite,variant,scenario,trial,model,passed,outcome,steps,tool_calls,tool_errors,input_tokens,output_tokens,cost_usd,model_latency_ms,harness_ms,latency_ms,tags,failed_assertions,error", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("20261122-101500-support-abc123,support,default,a,1,openai:gpt-4o-mini,False,completed,2,1,0,900,40,0.000159,812.5,1.2,813.7,", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(",=HYPERLINK", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Html_ModelOutputCannotInjectMarkup()
    {
        var html = HtmlReportWriter.Render(Run(Case("a", true, output: "<script>alert('x')</script><img src=x onerror=alert(1)>")));

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_ShowsVerdictCardsCasesAndDetails()
    {
        var html = HtmlReportWriter.Render(Run(Case("refund-ok", true), Case("refund-bad", false)));

        Assert.Contains("1 of 2 case(s) failed", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"value\">50%</div>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#case-support-default-refund-bad-t1\"", html, StringComparison.Ordinal);
        Assert.Contains("The output does not contain &quot;refund&quot;.", html, StringComparison.Ordinal);
        Assert.Contains("orders.refund_order", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        // The case data (gzipped JSON, never run) and the template's own script, and no other.
        Assert.Equal(["<script type=\"application/gzip\" id=\"case-rows\">", "<script type=\"application/gzip\" id=\"case-details\">", "<script>"], Regex.Matches(html, "<script[^>]*>").Select(m => m.Value));
    }

    [Fact]
    public void Html_TwoVariants_ShowsThemSideBySide()
    {
        var html = HtmlReportWriter.Render(Run(Case("a", true), Case("a", false, variant: "prompt-v2")));

        Assert.Contains("Variants side by side", html, StringComparison.Ordinal);
        Assert.Contains("<th>prompt-v2</th>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_Of_ComputesRatesAndNearestRankPercentiles()
    {
        var cases = Enumerable.Range(1, 20).Select(i => Case($"s{i}", i % 4 != 0) with { ModelLatencyMs = i * 100, HarnessMs = 0, LatencyMs = i * 100 }).ToArray();

        var summary = RunSummary.Of(cases);

        Assert.Equal((20, 15, 5, 0), (summary.Cases, summary.Passed, summary.Failed, summary.Errors));
        Assert.Equal(0.75, summary.SuccessRate);
        Assert.Equal((1000, 1900), (summary.LatencyP50Ms, summary.LatencyP95Ms));
        Assert.Equal(0.00318m, summary.CostUsd);
    }

    [Fact]
    public void Summary_Of_LeavesCasesThatErredOutOfLatencyAndSteps()
    {
        // A missing cassette took no time and made one step: counted, it would halve the p50 and the steps.
        var cases = new[]
        {
            Case("a", true) with { LatencyMs = 800, Steps = 3 },
            Case("b", true) with { LatencyMs = 1000, Steps = 3 },
            Case("c", false) with { LatencyMs = 0, Steps = 1, CostUsd = 0m, Error = "cassette 'support/default/c/t1' not found" },
        };

        var summary = RunSummary.Of(cases);
        var group = EvalHarness.Core.Statistics.GroupSummary.Of(cases).Single(g => g.Kind == "suite");

        Assert.Equal((800, 1000, 3), (summary.LatencyP50Ms, summary.LatencyP95Ms, summary.MeanSteps));
        Assert.Equal((800, 1000, 3), (group.LatencyP50Ms, group.LatencyP95Ms, group.MeanSteps));
        Assert.Equal((3, 1), (summary.Cases, summary.Errors));
    }

    [Fact]
    public void Groups_AggregateTrialsIntoPassAtKAndPassHatK()
    {
        CaseResult Trial(string variant, string scenario, int trial, bool passed, string tag) =>
            Case(scenario, passed, variant: variant) with { Trial = trial, CassetteId = $"support/{variant}/{scenario}/t{trial}", Tags = [tag] };
        var cases = new[]
        {
            Trial("a", "s", 1, true, "x"), Trial("a", "s", 2, false, "x"), Trial("a", "s", 3, true, "x"),
            Trial("a", "t", 1, true, "y"), Trial("a", "t", 2, true, "y"), Trial("a", "t", 3, true, "y"),
        };

        var groups = EvalHarness.Core.Statistics.GroupSummary.Of(cases);
        var s = groups.Single(g => g is { Kind: "scenario", Key: "a/s" });
        var variant = groups.Single(g => g.Kind == "variant");

        Assert.Equal((3, 2, 0.6667, 1.0, 0.0), (s.Cases, s.Passed, s.SuccessRate, s.PassAtK, s.PassHatK));
        Assert.Equal((6, 5, 1.0, 0.5), (variant.Cases, variant.Passed, variant.PassAtK, variant.PassHatK));
        Assert.Equal(["x", "y"], groups.Where(g => g.Kind == "tag").Select(g => g.Key));
        Assert.Equal(0.5, RunSummary.Of(cases).PassHatK);
        Assert.True(RunSummary.Of(cases).SuccessLow < 0.8333 && RunSummary.Of(cases).SuccessHigh > 0.8333);
    }

    [Fact]
    public void Groups_SumUnknownToolCallsAndTakeHarnessPercentiles()
    {
        var cases = Enumerable.Range(1, 20)
            .Select(i => Case($"s{i}", true) with { HarnessMs = i, Counters = new Dictionary<string, int> { ["unknown_tool_calls"] = i % 2 } })
            .ToArray();

        var variant = EvalHarness.Core.Statistics.GroupSummary.Of(cases).Single(g => g.Kind == "variant");

        Assert.Equal(10, variant.UnknownToolCalls);
        Assert.Equal((10.0, 19.0), (variant.HarnessP50Ms, variant.HarnessP95Ms));
    }
}
