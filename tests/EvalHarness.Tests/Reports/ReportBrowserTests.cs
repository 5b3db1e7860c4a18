using System.Globalization;
using System.Text.RegularExpressions;
using EvalHarness.Reports.Html;
using EvalHarness.Tests.Support;
using Microsoft.Playwright;

namespace EvalHarness.Tests.Reports;

/// <summary>The HTML report in a real Chromium: the theme, and a real run's verdict, comparison, trends and case table.</summary>
public sealed class ReportBrowserTests(BrowserFixture browser) : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Report_OpensInChromium_ShowsVerdictAndHasADarkTheme()
    {
        var html = HtmlReportWriter.Render(RunWriterTests.Run(RunWriterTests.Case("refund-ok", true), RunWriterTests.Case("refund-bad", false)));
        var url = new Uri(_temp.Write("report.html", html)).AbsoluteUri;

        await using var tab = await browser.NewPageAsync(new() { ColorScheme = ColorScheme.Light }, Ct);
        await tab.Page.GotoAsync(url).WaitAsync(Ct);

        Assert.Contains("1 of 2 case(s) failed", await tab.Page.Locator("#verdict").InnerTextAsync().WaitAsync(Ct), StringComparison.Ordinal);
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
        Assert.StartsWith("Gate failed", await page.Locator("#verdict").InnerTextAsync().WaitAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#gate tr[data-status=fail]:has-text('critical_must_pass')").CountAsync().WaitAsync(Ct));

        // The comparison with the baseline, and the variants side by side.
        Assert.Contains("hasty/fix-add", await page.Locator("#changes tr[data-change=regressed]").First.InnerTextAsync().WaitAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(["Scenario", "careful", "hasty"], await page.Locator("#variant-table thead th").AllTextContentsAsync().WaitAsync(Ct));
        Assert.True(await page.Locator("#variant-table .best").CountAsync().WaitAsync(Ct) > 0);

        // A trend chart, drawn and visible: a point per variant per run.
        var chart = page.Locator("#trend-success svg");
        Assert.True(await chart.IsVisibleAsync().WaitAsync(Ct));
        Assert.True((await chart.BoundingBoxAsync().WaitAsync(Ct))!.Width > 200);
        Assert.Equal(8, await page.Locator("#trend-success svg :is(circle, rect)").CountAsync().WaitAsync(Ct)); // 4 runs × 2 variants: circles, then squares

        // The filter: by text, then by result; the count follows.
        var rows = page.Locator("#cases tbody tr:visible");
        Assert.Equal(8, await rows.CountAsync().WaitAsync(Ct));
        await page.Locator("#case-filter").FillAsync("fix-add").WaitAsync(Ct);
        Assert.Equal(2, await rows.CountAsync().WaitAsync(Ct));
        await page.Locator("#case-filter").FillAsync(string.Empty).WaitAsync(Ct);
        await page.Locator("#case-status").SelectOptionAsync("fail").WaitAsync(Ct);
        Assert.Equal(["hasty", "hasty"], await page.Locator("#cases tbody tr:visible td:first-child").AllInnerTextsAsync().WaitAsync(Ct));
        Assert.Equal("2 of 8 case(s)", await page.Locator("#case-count").InnerTextAsync().WaitAsync(Ct));

        // Sorting by steps, descending on the second click.
        await page.Locator("#case-status").SelectOptionAsync(string.Empty).WaitAsync(Ct);
        var steps = page.Locator("#cases thead th", new() { HasText = "Steps" });
        await steps.ClickAsync().WaitAsync(Ct);
        await steps.ClickAsync().WaitAsync(Ct);
        var sorted = (await page.Locator("#cases tbody tr td:nth-child(5)").AllInnerTextsAsync().WaitAsync(Ct)).Select(int.Parse).ToList();
        Assert.Equal(sorted.OrderDescending(), sorted);

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

        Assert.Equal(("1200 of 1200 case(s)", 500), (await page.Locator("#case-count").InnerTextAsync().WaitAsync(Ct), await rows.CountAsync().WaitAsync(Ct)));
        await page.Locator("#case-more button").ClickAsync().WaitAsync(Ct);
        Assert.Equal(1_000, await rows.CountAsync().WaitAsync(Ct));

        // A case past the rows and details written into the page: found by the filter, its details from the data.
        await page.Locator("#case-filter").FillAsync("s1191").WaitAsync(Ct);
        Assert.Equal(1, await rows.CountAsync().WaitAsync(Ct));
        Assert.Equal(0, await page.Locator("#case-support-default-s1191-t1").CountAsync().WaitAsync(Ct));
        await page.Locator("#case-filter").FillAsync("no-such-case").WaitAsync(Ct);
        Assert.Equal("No case matches.", await rows.InnerTextAsync().WaitAsync(Ct));
        await page.Locator("#case-filter").FillAsync("s1191").WaitAsync(Ct);
        await page.Locator("#cases tbody a").ClickAsync().WaitAsync(Ct);
        var details = page.Locator("#case-support-default-s1191-t1");
        Assert.True(await details.IsVisibleAsync().WaitAsync(Ct));
        Assert.Contains("The output contains \"refund\".", await details.InnerTextAsync().WaitAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_WithoutJavaScript_ShowsEveryCaseAndNoControlsThatWouldDoNothing()
    {
        var url = new Uri(_temp.Write("plain.html", HtmlReportWriter.Render(RunWriterTests.Run(RunWriterTests.Case("a", true), RunWriterTests.Case("b", false))))).AbsoluteUri;
        await using var tab = await browser.NewPageAsync(new() { JavaScriptEnabled = false }, Ct);
        await tab.Page.GotoAsync(url).WaitAsync(Ct);

        Assert.False(await tab.Page.Locator("#case-controls").IsVisibleAsync().WaitAsync(Ct));
        Assert.Equal(2, await tab.Page.Locator("#cases tbody tr").CountAsync().WaitAsync(Ct));
        Assert.True(await tab.Page.Locator("#case-support-default-b-t1 .verdicts").IsVisibleAsync().WaitAsync(Ct)); // a failure's details start open
    }

    private static Task<string> BodyBackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor").WaitAsync(Ct);

    /// <summary>The sum of the red, green and blue of a computed colour such as <c>rgb(20, 24, 29)</c>: 0 is black, 765 white.</summary>
    private static int Brightness(string cssColor) =>
        Regex.Matches(cssColor, @"\d+").Take(3).Sum(m => int.Parse(m.Value, CultureInfo.InvariantCulture));
}
