using System.Text.RegularExpressions;
using EvalHarness.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace EvalHarness.Tests.Reports;

/// <summary>
/// <c>evalh view</c> in a real Chromium, as a person uses it: the list of runs of two suites, a filter, two runs picked
/// and opened side by side, and the static export opened from disk with no server. The docs' pictures of the viewer
/// are these tests' screenshots (<see cref="Screenshots.SaveForDocsAsync"/>).
/// </summary>
public sealed class ViewBrowserTests(BrowserFixture browser, ViewFixture runs) : IClassFixture<ViewFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task View_FilterToFailures_PickTwoRuns_SideBySideShowsTheChangedCaseWithBothTranscripts()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        await using var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } }, Ct);
        var page = tab.Page;
        await page.GotoAsync(view.Address.AbsoluteUri).WaitAsync(Ct);

        var rows = page.Locator("#runs tbody tr:visible");
        await Expect(rows).ToHaveCountAsync(3).WaitAsync(Ct);
        await Screenshots.SaveForDocsAsync(page, "view-runs", Ct);

        // Failures only: the two codefix runs (the hasty prompt fails fix-add in both); the support run passed.
        await page.Locator("select[data-filter=verdict]").SelectOptionAsync("fail").WaitAsync(Ct);
        await Expect(rows).ToHaveCountAsync(2).WaitAsync(Ct);
        await Expect(page.Locator("[data-count]")).ToHaveTextAsync("2 of 3 run(s)").WaitAsync(Ct);
        await Expect(page).ToHaveURLAsync(new Regex("#verdict=fail$")).WaitAsync(Ct);

        // The search finds the run where a scenario failed.
        await page.Locator("input[data-filter=scenarios]").FillAsync("failed:hasty/fix-everything").WaitAsync(Ct);
        await Expect(rows).ToHaveCountAsync(1).WaitAsync(Ct);
        await Expect(rows.First).ToHaveAttributeAsync("data-run", runs.CodefixB).WaitAsync(Ct);
        await page.Locator("input[data-filter=scenarios]").FillAsync(string.Empty).WaitAsync(Ct);

        // Pick the two (newer first, on purpose: the older is still the base) and open them side by side.
        var compare = page.Locator("#compare");
        await Expect(compare).ToBeDisabledAsync().WaitAsync(Ct);
        await page.Locator($"input[data-pick][value='{runs.CodefixB}']").CheckAsync().WaitAsync(Ct);
        await page.Locator($"input[data-pick][value='{runs.CodefixA}']").CheckAsync().WaitAsync(Ct);
        await compare.ClickAsync().WaitAsync(Ct);
        await Expect(page).ToHaveURLAsync(new Regex($"/compare/{runs.CodefixA}/{runs.CodefixB}/index.html$")).WaitAsync(Ct);

        await Expect(page.Locator("#comparison-verdict")).ToContainTextAsync("B regressed, by the gate's drop rule").WaitAsync(Ct);
        var pair = page.Locator("details.pair[data-case='hasty/fix-everything/t1']");
        await Expect(pair).ToHaveCountAsync(1).WaitAsync(Ct);
        await Expect(pair.Locator("> summary")).ToContainTextAsync("pass → fail").WaitAsync(Ct);
        foreach (var side in new[] { "a", "b" })
        {
            // Each side: the case's own transcript and tool calls, visible.
            await Expect(pair.Locator($".side-{side} .msg.user").First).ToContainTextAsync("Make the whole test suite pass.").WaitAsync(Ct);
            await Expect(pair.Locator($".side-{side} .msg.assistant").First).ToBeVisibleAsync().WaitAsync(Ct);
            await Expect(pair.Locator($".side-{side} h3:text-is('Tool calls')")).ToBeVisibleAsync().WaitAsync(Ct);
        }

        await Expect(pair.Locator(".side-b .fail-cell").First).ToBeVisibleAsync().WaitAsync(Ct);
        await page.EvaluateAsync("window.scrollTo(0, 0)").WaitAsync(Ct);
        await Screenshots.SaveForDocsAsync(page, "view-side-by-side", Ct, fullPage: false);
    }

    [Fact]
    public async Task View_TwoRunsOfDifferentSuitesPicked_SaysToPickOneSuite()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        await using var tab = await browser.NewPageAsync(cancellationToken: Ct);
        var page = tab.Page;
        await page.GotoAsync(view.Address.AbsoluteUri).WaitAsync(Ct);

        await page.Locator($"input[data-pick][value='{runs.CodefixA}']").CheckAsync().WaitAsync(Ct);
        await page.Locator($"input[data-pick][value='{runs.Support}']").CheckAsync().WaitAsync(Ct);
        await page.Locator("#compare").ClickAsync().WaitAsync(Ct);

        await Expect(page.Locator("#compare-message")).ToContainTextAsync("Pick two runs of one suite").WaitAsync(Ct);
        Assert.EndsWith("/", page.Url, StringComparison.Ordinal); // still on the list
    }

    [Fact]
    public async Task Export_IndexOpensFromDiskWithNoServer_ListsEveryRun_AndItsLinksWork()
    {
        var target = Path.Combine(runs.Root, "site-" + Guid.NewGuid().ToString("N")[..6]);
        using var output = new StringWriter();
        Assert.Equal(0, await Evalh.InvokeAsync(output, output, ["view", "--reports", runs.Reports, "--export", target], Ct));
        await using var tab = await browser.NewPageAsync(cancellationToken: Ct);
        var page = tab.Page;
        await page.GotoAsync(new Uri(Path.Combine(target, "index.html")).AbsoluteUri).WaitAsync(Ct);

        await Expect(page.Locator("#runs tbody tr[data-run]")).ToHaveCountAsync(3).WaitAsync(Ct);
        foreach (var id in new[] { runs.CodefixA, runs.CodefixB, runs.Support })
        {
            await Expect(page.Locator($"#runs tr[data-run='{id}'] a[href='runs/{id}/index.html']")).ToBeVisibleAsync().WaitAsync(Ct);
        }

        // The filter and the side-by-side pick work from a file too.
        await page.Locator("select[data-filter=suite]").SelectOptionAsync("suites/support").WaitAsync(Ct);
        await Expect(page.Locator("#runs tbody tr:visible")).ToHaveCountAsync(1).WaitAsync(Ct);
        await page.Locator("select[data-filter=suite]").SelectOptionAsync(string.Empty).WaitAsync(Ct);
        await page.Locator($"input[data-pick][value='{runs.CodefixA}']").CheckAsync().WaitAsync(Ct);
        await page.Locator($"input[data-pick][value='{runs.CodefixB}']").CheckAsync().WaitAsync(Ct);
        await page.Locator("#compare").ClickAsync().WaitAsync(Ct);
        await Expect(page.Locator("details.pair[data-case='hasty/fix-everything/t1']")).ToHaveCountAsync(1).WaitAsync(Ct);

        // A run's page, and its report copied beside it.
        await page.GotoAsync(new Uri(Path.Combine(target, "runs", runs.CodefixB, "index.html")).AbsoluteUri).WaitAsync(Ct);
        await page.Locator("a:text-is('The full report')").ClickAsync().WaitAsync(Ct);
        await Expect(page.Locator("#verdict")).ToContainTextAsync("2 of 8 case(s) failed").WaitAsync(Ct);
    }
}
