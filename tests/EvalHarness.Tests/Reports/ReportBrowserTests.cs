using System.Globalization;
using System.Text.RegularExpressions;
using EvalHarness.Reports.Html;
using EvalHarness.Tests.Support;
using Microsoft.Playwright;

namespace EvalHarness.Tests.Reports;

/// <summary>The HTML report in a real Chromium: proves the browser plumbing, not the report's details.</summary>
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

    private static Task<string> BodyBackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor").WaitAsync(Ct);

    /// <summary>The sum of the red, green and blue of a computed colour such as <c>rgb(20, 24, 29)</c>: 0 is black, 765 white.</summary>
    private static int Brightness(string cssColor) =>
        Regex.Matches(cssColor, @"\d+").Take(3).Sum(m => int.Parse(m.Value, CultureInfo.InvariantCulture));
}
