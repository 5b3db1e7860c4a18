using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.History;
using EvalHarness.Reports.Html;
using EvalHarness.Reports.Junit;
using EvalHarness.Reports.Markdown;
using EvalHarness.Tests.Support;
using static EvalHarness.Tests.Reports.RunWriterTests;

namespace EvalHarness.Tests.Reports;

/// <summary>summary.md, junit.xml and the report's comparison, gate and trend sections.</summary>
public sealed class ReportWritersTests
{
    private static readonly GateResult FailedGate = new(false, "run", "gate.yaml", "base", [
        new GateRule("min_success_rate", GateStatus.Fail, "50%", "≥ 90%", "1 of 2 case(s) passed."),
        new GateRule("max_cost_increase_pct", GateStatus.Skipped, "n/a", "≤ +10%", "No baseline."),
    ]);

    private static ReportContext WithBaseline()
    {
        var baseline = Run(Case("refund-ok", true), Case("refund-bad", true), Case("gone", true)) with { RunId = "base" };
        var current = Run(Case("refund-ok", true), Case("refund-bad", false), Case("new-one", true) with { CostUsd = 0.002m });
        return ReportContext.Create(current, baseline, FailedGate);
    }

    [Fact]
    public void Junit_HasASuitePerVariantAndAFailureOrErrorPerCase()
    {
        var run = Run(
            Case("ok", true),
            Case("bad", false, output: "a \u0001 control character"),
            Case("broken", false) with { Error = "cassette 'x' not found", Verdicts = [] },
            Case("ok", true, variant: "v2"));

        var xml = XDocument.Parse(JunitXml.Render(run));

        var root = xml.Root!;
        Assert.Equal(("4", "1", "1"), ((string)root.Attribute("tests")!, (string)root.Attribute("failures")!, (string)root.Attribute("errors")!));
        Assert.Equal(["support/default", "support/v2"], root.Elements("testsuite").Select(s => (string)s.Attribute("name")!));
        var bad = root.Descendants("testcase").Single(t => (string)t.Attribute("name")! == "bad");
        Assert.Equal("The output does not contain \"refund\".", (string)bad.Element("failure")!.Attribute("message")!);
        Assert.Equal("a \uFFFD control character", (string)bad.Element("system-out")!);
        Assert.Equal("cassette 'x' not found", (string)root.Descendants("testcase").Single(t => (string)t.Attribute("name")! == "broken").Element("error")!.Attribute("message")!);
        Assert.Equal("0.814", (string)bad.Attribute("time")!);
    }

    [Fact]
    public void Markdown_BaselineGateAndChanges_MatchesSnapshot() =>
        // The numbers against the baseline, the gate's rules, the regressed, new and removed scenarios, the failures.
        Snapshots.Match(SummaryMarkdown.Render(WithBaseline()));

    [Fact]
    public void Markdown_ModelTextCannotBreakTheTableOrInjectHtml()
    {
        var run = Run(Case("a|b", false) with { Verdicts = [new("output.equals", false, "got <img src=x onerror=alert(1)> | `x`\nnext")] });

        var md = SummaryMarkdown.Render(ReportContext.Create(run));

        Assert.Contains("a\\|b", md, StringComparison.Ordinal);
        Assert.Contains("got &lt;img src=x onerror=alert(1)&gt; \\| 'x' next", md, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_LongListsAreCut()
    {
        var baseline = Run([.. Enumerable.Range(1, 15).Select(i => Case($"s{i}", true))]) with { RunId = "base" };
        var current = Run([.. Enumerable.Range(1, 15).Select(i => Case($"s{i}", false))]);

        var md = SummaryMarkdown.Render(ReportContext.Create(current, baseline));

        Assert.Contains("**Regressed** (15): ", md, StringComparison.Ordinal);
        Assert.Contains(", and 5 more", md, StringComparison.Ordinal);
        Assert.Contains("- … and 5 more in the report", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_ShowsTheGateTheChangesAndTheCardsDeltas()
    {
        var html = HtmlReportWriter.Render(WithBaseline());

        Assert.Contains("<div class=\"verdict fail\" id=\"verdict\">Gate failed: 1 of 2 rule(s) not met", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-status=\"fail\"><td><code>min_success_rate</code>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge regressed\">1 regressed</span>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-change=\"regressed\"><td>default/refund-bad</td>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-change=\"new\"><td>default/new-one</td>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"delta worse\">−50 pts vs baseline</div>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Cards_SuccessUnchangedWhilePassHatKDrops_SayWhyInTheReportAndSummary()
    {
        // Two trials a scenario: a loses a trial and c gains one, so 6 of 8 trials pass on both sides, but a no longer
        // passes every trial: pass^k falls from 75% to 50%.
        static CaseResult[] Trials(params (string Scenario, bool First, bool Second)[] scenarios) => [.. scenarios.SelectMany(s => new[]
        {
            Case(s.Scenario, s.First),
            Case(s.Scenario, s.Second) with { Trial = 2, CassetteId = $"support/default/{s.Scenario}/t2" },
        })];
        var baseline = Run(Trials(("a", true, true), ("b", true, true), ("c", false, false), ("d", true, true))) with { RunId = "base" };
        var current = Run(Trials(("a", true, false), ("b", true, true), ("c", true, false), ("d", true, true)));
        var context = ReportContext.Create(current, baseline);

        var html = HtmlReportWriter.Render(context);
        var md = SummaryMarkdown.Render(context);

        Assert.Contains("<div class=\"delta \">±0 pts vs baseline</div>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"delta worse\">−25 pts vs baseline</div>", html, StringComparison.Ordinal);
        const string Why = "Success ±0 pts, pass^k −25 pts: pass^k counts a scenario only when all its trials pass, the success rate every trial, "
            + "so a trial that flips in a scenario of several trials can move one and not the other. No longer passing every trial: default/a (2/2 → 1/2).";
        Assert.Contains($"<p class=\"note\" id=\"pass-hat-k-why\">{Why}</p>", html, StringComparison.Ordinal);
        Assert.Contains($"<div class=\"card\" title=\"{Why}\"><div class=\"label\">pass^k</div>", html, StringComparison.Ordinal);
        Assert.Contains($"\n{Why}\n", md, StringComparison.Ordinal);
        Assert.DoesNotContain("pass-hat-k-why", HtmlReportWriter.Render(WithBaseline()), StringComparison.Ordinal);
    }

    [Fact]
    public void Html_WithoutBaselineOrHistory_SaysHowToGetThem()
    {
        var html = HtmlReportWriter.Render(Run(Case("a", true)));

        Assert.Contains("No baseline to compare with.", html, StringComparison.Ordinal);
        Assert.Contains("No history yet", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_History_DrawsATrendChartPerMetric()
    {
        static HistoryEntry E(int run, string variant, bool passed) =>
            new($"r{run}", new DateTimeOffset(2026, 11, 20 + run, 9, 0, 0, TimeSpan.Zero), "support", variant, "s", 1, passed, false, 2, 0.001m, 500, "");

        var html = HtmlReportWriter.Render(ReportContext.Create(Run(Case("s", true)), history: [E(1, "default", true), E(2, "default", false), E(2, "v2", true)]));

        Assert.Equal(3, html.Split("<svg", StringSplitOptions.None).Length - 1);
        Assert.Contains("id=\"trend-success\"", html, StringComparison.Ordinal);
        Assert.Contains("11-21 09:00", html, StringComparison.Ordinal);
        Assert.Contains(">v2<", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_TwoVariants_MarkTheBetterValue_AndNoCheaperFailure()
    {
        var run = Run(
            Case("a", true) with { Steps = 2, CostUsd = 0.001m },
            Case("b", true) with { Steps = 4 },
            Case("a", false, variant: "prompt-v2") with { Steps = 1, CostUsd = 0.0005m },
            Case("b", true, variant: "prompt-v2") with { Steps = 2 });

        var html = HtmlReportWriter.Render(run);

        Assert.Contains("<span class=\"best\" title=\"best of the variants\"><span class=\"pass-cell\">1/1</span></span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"best\" title=\"best of the variants\">2 steps</span> · $0.000159", html, StringComparison.Ordinal); // b: prompt-v2, fewer steps
        Assert.DoesNotContain("<span class=\"best\" title=\"best of the variants\">1 steps</span>", html, StringComparison.Ordinal); // a: a failure is not better for being short
        Assert.DoesNotContain("<span class=\"best\" title=\"best of the variants\">$0.000500</span>", html, StringComparison.Ordinal);
        Assert.Contains("against <b>default</b>: success 50% vs 100%", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_Waterfall_DrawsEachSpanOnTheRunsTimeLine()
    {
        var spans = new EvalHarness.TraceSpan[]
        {
            new(1, 0, "run", "agent", 0, 1000, "ok", new Dictionary<string, string>()),
            new(2, 1, "model", "gpt-4o-mini", 0, 750, "ok", new Dictionary<string, string>()),
            new(3, 1, "tool", "orders.refund_order", 750, 250, "boom", new Dictionary<string, string>()),
        };

        var html = HtmlReportWriter.Render(Run(Case("a", true) with { Trace = spans }));

        Assert.Contains("<span class=\"wf-bar k-model\" style=\"left:0%;width:75%\"", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"wf-bar k-tool err\" style=\"left:75%;width:25%\"", html, StringComparison.Ordinal);
        Assert.Contains("padding-left:12px", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_LargeRun_WritesTheFirstRowsAsHtmlAndEveryCaseAsData()
    {
        var cases = Enumerable.Range(0, 1_200).Select(i => Case($"s{i}", true, output: i == 1_100 ? "</script><script>alert(1)</script>" : "Refunded.")).ToArray();

        var html = HtmlReportWriter.Render(Run(cases));

        var rows = CaseData(html, "case-rows");
        var details = CaseData(html, "case-details");
        var page = html[..html.IndexOf("<script type=\"application/gzip\"", StringComparison.Ordinal)];
        Assert.Equal(1_000, Regex.Count(page, "<tr data-i="));
        Assert.Equal(300, Regex.Count(page, "<details class=\"case\""));
        Assert.Contains("The first 1,000 of 1,200 cases", page, StringComparison.Ordinal);
        Assert.Equal(1_200, rows.GetArrayLength());
        Assert.StartsWith("<tr data-i=\"1199\" data-status=\"pass\"", rows[1_199][10].GetString(), StringComparison.Ordinal);
        Assert.Equal(900, details.EnumerateObject().Count());
        Assert.Contains("&lt;/script&gt;&lt;script&gt;alert(1)", details.GetProperty("1100").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("</script><script>alert", html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(html, "</script>"));
    }

    /// <summary>One block of the page's case data: base64 of gzipped JSON.</summary>
    internal static JsonElement CaseData(string html, string id)
    {
        var match = Regex.Match(html, $"<script type=\"application/gzip\" id=\"{id}\">([^<]*)</script>");
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(match.Groups[1].Value)), CompressionMode.Decompress);
        return JsonDocument.Parse(gzip).RootElement.Clone();
    }
}
