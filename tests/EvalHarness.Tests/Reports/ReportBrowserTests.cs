using System.Globalization;
using System.Text.RegularExpressions;
using EvalHarness.Reports.Html;
using EvalHarness.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EvalHarness.Tests.Reports;

/// <summary>The HTML report in a real Chromium: the theme, and a real run's verdict, comparison, trends and case table.</summary>
public sealed class ReportBrowserTests(BrowserFixture browser) : IDisposable
{
    // Read where it is used: a static field would keep the first test's token.
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Report_OpensInChromium_ShowsVerdictAndHasADarkTheme()
    {
        var html = HtmlReportWriter.Render(RunWriterTests.Run(RunWriterTests.Case("refund-ok", true), RunWriterTests.Case("refund-bad", false)));
        var url = new Uri(_temp.Write("report.html", html)).AbsoluteUri;

        await using var tab = await browser.NewPageAsync(new() { ColorScheme = ColorScheme.Light }, Ct);
        await tab.Page.GotoAsync(url).WaitAsync(Ct);

        await Expect(tab.Page.Locator("#verdict")).ToContainTextAsync("1 of 2 case(s) failed").WaitAsync(Ct);
        var lightBackground = await BodyBackgroundAsync(tab.Page);
        await tab.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark }).WaitAsync(Ct);
        var darkBackground = await BodyBackgroundAsync(tab.Page);
        Assert.True(Brightness(darkBackground) < Brightness(lightBackground), $"The body is not darker under a dark colour scheme: {darkBackground} vs {lightBackground}.");
        Assert.True(File.Exists(await tab.ScreenshotAsync("report-plumbing-dark", Ct)));
    }

    [Fact]
    public async Task Report_TwoVariantsAndABaseline_ShowsVerdictComparisonTrendAndFilters()
    {
        var run = await ReportScenario.GatedCodefixRunAsync(_temp.Combine("reports"), Ct);
        await using var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } }, Ct);
        var page = tab.Page;
        await page.GotoAsync(new Uri(Path.Combine(run, "report.html")).AbsoluteUri).WaitAsync(Ct);

        // The gate's verdict, with its failing rule.
        await Expect(page.Locator("#verdict")).ToHaveTextAsync(new Regex("^Gate failed")).WaitAsync(Ct);
        await Expect(page.Locator("#gate tr[data-status=fail]:has-text('critical_must_pass')")).ToHaveCountAsync(1).WaitAsync(Ct);

        // The comparison with the baseline, and the variants side by side.
        await Expect(page.Locator("#changes tr[data-change=regressed]").First).ToContainTextAsync("hasty/fix-add").WaitAsync(Ct);
        await Expect(page.Locator("#variant-table thead th")).ToHaveTextAsync(["Scenario", "careful", "hasty"]).WaitAsync(Ct);
        await Expect(page.Locator("#variant-table .best").First).ToBeAttachedAsync().WaitAsync(Ct);

        // A trend chart, drawn and visible: a point per variant per run.
        var chart = page.Locator("#trend-success svg");
        await Expect(chart).ToBeVisibleAsync().WaitAsync(Ct);
        Assert.True((await chart.BoundingBoxAsync().WaitAsync(Ct))!.Width > 200);
        await Expect(page.Locator("#trend-success svg :is(circle, rect)")).ToHaveCountAsync(8).WaitAsync(Ct); // 4 runs × 2 variants: circles, then squares

        // The filter: by text, then by result; the count follows.
        var rows = page.Locator("#cases tbody tr:visible");
        await Expect(rows).ToHaveCountAsync(8).WaitAsync(Ct);
        await page.Locator("#case-filter").FillAsync("fix-add").WaitAsync(Ct);
        await Expect(rows).ToHaveCountAsync(2).WaitAsync(Ct);
        await page.Locator("#case-filter").FillAsync(string.Empty).WaitAsync(Ct);
        await page.Locator("#case-status").SelectOptionAsync("fail").WaitAsync(Ct);
        await Expect(page.Locator("#cases tbody tr:visible td:first-child")).ToHaveTextAsync(["hasty", "hasty"]).WaitAsync(Ct);
        await Expect(page.Locator("#case-count")).ToHaveTextAsync("2 of 8 case(s)").WaitAsync(Ct);

        // Sorting by steps, descending on the second click.
        await page.Locator("#case-status").SelectOptionAsync(string.Empty).WaitAsync(Ct);
        await Expect(page.Locator("#case-count")).ToHaveTextAsync("8 of 8 case(s)").WaitAsync(Ct);
        var stepCells = page.Locator("#cases tbody tr td:nth-child(5)");
        var descending = (await stepCells.AllInnerTextsAsync().WaitAsync(Ct)).OrderDescending(Comparer<string>.Create((a, b) => int.Parse(a, CultureInfo.InvariantCulture).CompareTo(int.Parse(b, CultureInfo.InvariantCulture)))).ToArray();
        var steps = page.Locator("#cases thead th", new() { HasText = "Steps" });
        await steps.ClickAsync().WaitAsync(Ct);
        await Expect(steps).ToHaveAttributeAsync("aria-sort", "ascending").WaitAsync(Ct);
        await steps.ClickAsync().WaitAsync(Ct);
        await Expect(stepCells).ToHaveTextAsync(descending).WaitAsync(Ct);

        Assert.True(File.Exists(await tab.ScreenshotAsync("report-two-variants-baseline", Ct)));
    }

    [Fact]
    public async Task Report_LargeRun_PagesFiltersAndShowsDetailsFromTheCaseData()
    {
        var cases = Enumerable.Range(0, 1_200).Select(i => RunWriterTests.Case($"s{i:0000}", i % 7 != 0)).ToArray();
        var url = new Uri(_temp.Write("large.html", HtmlReportWriter.Render(RunWriterTests.Run(cases)))).AbsoluteUri;
        await using var tab = await browser.NewPageAsync(cancellationToken: Ct);
        var page = tab.Page;
        await page.GotoAsync(url).WaitAsync(Ct);
        var rows = page.Locator("#cases tbody tr");

        // The rows and the details come from compressed case data that the page inflates after it loads, and a click
        // opens details asynchronously too: every check waits for the page rather than reading it once.
        await Expect(page.Locator("#case-count")).ToHaveTextAsync("1200 of 1200 case(s)").WaitAsync(Ct);
        await Expect(rows).ToHaveCountAsync(500).WaitAsync(Ct);
        await page.Locator("#case-more button").ClickAsync().WaitAsync(Ct);
        await Expect(rows).ToHaveCountAsync(1_000).WaitAsync(Ct);

        // A case past the rows and details written into the page: found by the filter, its details from the data.
        await page.Locator("#case-filter").FillAsync("s1191").WaitAsync(Ct);
        await Expect(rows).ToHaveCountAsync(1).WaitAsync(Ct);
        await Expect(page.Locator("#case-support-default-s1191-t1")).ToHaveCountAsync(0).WaitAsync(Ct);
        await page.Locator("#case-filter").FillAsync("no-such-case").WaitAsync(Ct);
        await Expect(rows).ToHaveTextAsync("No case matches.").WaitAsync(Ct);
        await page.Locator("#case-filter").FillAsync("s1191").WaitAsync(Ct);
        await page.Locator("#cases tbody a").ClickAsync().WaitAsync(Ct);
        var details = page.Locator("#case-support-default-s1191-t1");
        await Expect(details).ToBeVisibleAsync().WaitAsync(Ct);
        await Expect(details).ToContainTextAsync("The output contains \"refund\".", new() { UseInnerText = true }).WaitAsync(Ct);
    }

    [Fact]
    public async Task Report_WithoutJavaScript_ShowsEveryCaseAndNoControlsThatWouldDoNothing()
    {
        var url = new Uri(_temp.Write("plain.html", HtmlReportWriter.Render(RunWriterTests.Run(RunWriterTests.Case("a", true), RunWriterTests.Case("b", false))))).AbsoluteUri;
        await using var tab = await browser.NewPageAsync(new() { JavaScriptEnabled = false }, Ct);
        await tab.Page.GotoAsync(url).WaitAsync(Ct);

        await Expect(tab.Page.Locator("#case-controls")).ToBeHiddenAsync().WaitAsync(Ct);
        await Expect(tab.Page.Locator("#cases tbody tr")).ToHaveCountAsync(2).WaitAsync(Ct);
        await Expect(tab.Page.Locator("#case-support-default-b-t1 .verdicts")).ToBeVisibleAsync().WaitAsync(Ct); // a failure's details start open
    }

    private static Task<string> BodyBackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor").WaitAsync(Ct);

    /// <summary>The sum of the red, green and blue of a computed colour such as <c>rgb(20, 24, 29)</c>: 0 is black, 765 white.</summary>
    private static int Brightness(string cssColor) =>
        Regex.Matches(cssColor, @"\d+").Take(3).Sum(m => int.Parse(m.Value, CultureInfo.InvariantCulture));
}
