using System.Net;
using EvalHarness.Core.Results;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

/// <summary>
/// <c>evalh view</c> over HTTP on a reports folder made by real runs (<see cref="ViewFixture"/>): what each page holds,
/// that it agrees with <c>evalh compare</c>, and that it reads nothing but the reports folder's runs.
/// </summary>
public sealed class ViewSiteTests(ViewFixture runs) : IClassFixture<ViewFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    [Fact]
    public async Task Index_ListsEveryRunOfBothSuites_WithVerdictAndALinkToEachRun()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        var index = await Http.GetStringAsync(view.Address, Ct);

        foreach (var id in new[] { runs.CodefixA, runs.CodefixB, runs.Support })
        {
            Assert.Contains($"href=\"runs/{id}/index.html\"", index, StringComparison.Ordinal);
        }

        Assert.Contains("data-suite=\"|suites/codefix|\"", index, StringComparison.Ordinal);
        Assert.Contains("data-suite=\"|suites/support|\"", index, StringComparison.Ordinal);
        Assert.Contains("3 run(s) of 2 suite(s)", index, StringComparison.Ordinal);
        Assert.Contains("failed:hasty/fix-everything", index, StringComparison.Ordinal); // B's failed scenario, searchable
    }

    [Fact]
    public async Task Compare_TheTwoCodefixRuns_ShowsTheChangedCaseAndAgreesWithEvalhCompare()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        var page = await Http.GetStringAsync(new Uri(view.Address, $"compare/{runs.CodefixA}/{runs.CodefixB}/"), Ct);

        // Only the case whose verdict changed: the other seven replayed the same cassettes the same way.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "<details class=\"pair\""));
        Assert.Contains("data-case=\"hasty/fix-everything/t1\"", page, StringComparison.Ordinal);
        Assert.Contains("pass → fail", page, StringComparison.Ordinal);
        Assert.Contains("7 steps, more than the 6 allowed.", page, StringComparison.Ordinal);
        Assert.Contains("The same conversation and tool calls on both sides: the agent did the same", page, StringComparison.Ordinal);

        // evalh compare judges the pair by the same rule: a drop in a replay of single trials counts, exit 1.
        using var output = new StringWriter();
        // (The ids as the viewer shows them name the runs.)
        var exit = await Evalh.InvokeAsync(output, output, ["compare", runs.CodefixA, runs.CodefixB, "--reports", runs.Reports, "--out", Path.Combine(runs.Root, "compare.md")], Ct);
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("Success 87.5% → 75% (−12.5 pts)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Success 87.5% → 75% (−12.5 pts): B regressed, by the gate's drop rule", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPage_TheSecondCodefixRun_MarksTheCaseThatChangedSinceTheRunBefore()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        var page = await Http.GetStringAsync(new Uri(view.Address, $"runs/{runs.CodefixB}/"), Ct);

        Assert.Contains($"compare/{runs.CodefixA}/{runs.CodefixB}/index.html", page, StringComparison.Ordinal);
        var changed = page.Split("<tr data-row").Where(r => r.Contains("|changed|", StringComparison.Ordinal)).ToList();
        Assert.Contains("hasty / fix-everything / t1", Assert.Single(changed), StringComparison.Ordinal);
        Assert.Equal(2, page.Split("<tr data-row").Count(r => r.Contains("|failures|", StringComparison.Ordinal)));

        // The report itself is served from the run's folder, as written.
        var report = await Http.GetStringAsync(new Uri(view.Address, $"runs/{runs.CodefixB}/report.html"), Ct);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(runs.Reports, "runs", runs.CodefixB, "report.html"), Ct), report);
    }

    [Fact]
    public async Task Trends_OfCodefix_ShowsTheChartsAndTheScenarioThatFlipped()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        var page = await Http.GetStringAsync(new Uri(view.Address, "suites/suites~codefix/"), Ct);

        Assert.Contains("id=\"trend-success\"", page, StringComparison.Ordinal);
        var row = page.Split("<tr data-row").Single(r => r.Contains("data-scenario=\"hasty/fix-everything\"", StringComparison.Ordinal));
        Assert.Contains($"<i class=\"p\" title=\"{runs.CodefixA}: passed\">", row, StringComparison.Ordinal);
        Assert.Contains($"<i class=\"f\" title=\"{runs.CodefixB}: failed\">", row, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runs/../history/suites/codefix.csv")]
    [InlineData("runs/%2e%2e/history/suites/codefix.csv")]
    [InlineData("runs/{a}/../../history/suites/codefix.csv")]
    [InlineData("runs/{a}/progress.json")]
    [InlineData("runs/{a}/charts/results.json")]
    [InlineData("history/suites/codefix.csv")]
    [InlineData("compare/{a}/..%2f..%2fhistory/")]
    public async Task Paths_OutsideARunsFilesOrNotAPage_AreNotFound(string path)
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        using var response = await Http.GetAsync(new Uri(view.Address + path.Replace("{a}", runs.CodefixA, StringComparison.Ordinal)), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("run_id", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_ForAnotherHostOrThatWrite_AreRefused()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        using var rebinding = new HttpRequestMessage(HttpMethod.Get, view.Address) { Headers = { Host = "attacker.example" } };
        using var refused = await Http.SendAsync(rebinding, Ct);
        using var post = await Http.PostAsync(new Uri(view.Address, $"runs/{runs.CodefixA}/report.html"), new StringContent("x"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Compare_RunsOfTwoSuites_IsABadRequestNamingBoth()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        using var response = await Http.GetAsync(new Uri(view.Address, $"compare/{runs.CodefixA}/{runs.Support}/"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("compare runs of one suite", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFolderWithoutItsSlash_RedirectsToIt_SoRelativeLinksWork()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        using var response = await Http.GetAsync(new Uri(view.Address, $"compare/{runs.CodefixA}/{runs.CodefixB}"), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/compare/{runs.CodefixA}/{runs.CodefixB}/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Export_WritesEveryPage_AndRefusesTheReportsFolderItself()
    {
        var target = Path.Combine(runs.Root, "site");
        using var output = new StringWriter();
        var exit = await Evalh.InvokeAsync(output, output, ["view", "--reports", runs.Reports, "--export", target], Ct);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Wrote 3 run page(s), 1 side-by-side page(s) and 2 suite trends page(s)", output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(target, "compare", runs.CodefixA, runs.CodefixB, "index.html")));
        Assert.True(File.Exists(Path.Combine(target, "runs", runs.Support, "report.html")));
        Assert.True(File.Exists(Path.Combine(target, "suites", "suites~support", "index.html")));
        Assert.Empty(Directory.GetFiles(target, "*.tmp", SearchOption.AllDirectories));

        using var refused = new StringWriter();
        var into = await Evalh.InvokeAsync(refused, refused, ["view", "--reports", runs.Reports, "--export", runs.Reports], Ct);
        Assert.Equal(ExitCodes.InputError, into);
        Assert.Contains("the export would write into the reports folder's own files", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_WithNoReportsFolder_ExitsTwoSayingWhatToDo()
    {
        using var output = new StringWriter();
        var exit = await Evalh.InvokeAsync(output, output, ["view", "--reports", Path.Combine(runs.Root, "nothing-here")], Ct);

        Assert.Equal(ExitCodes.InputError, exit);
        Assert.Contains("no reports folder there. Run a suite first", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunInProgress_ShowsItsProgressAndRefreshes_ThenItsResults()
    {
        // One case with the recorded timing (five model calls, about 2.4 s): a while in which the run is in progress.
        // Its own reports folder, so the other tests' counts hold.
        var reports = Path.Combine(runs.Root, "reports-live");
        Directory.CreateDirectory(reports);
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", reports);
        var running = runs.RunIntoAsync(reports, "codefix", ExitCodes.Ok, Ct, "--filter", "fix-add", "--variant", "careful", "--replay", "realistic", "--concurrency", "1");
        string? id = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (id is null && !running.IsCompleted && DateTime.UtcNow < deadline)
        {
            var index = await Http.GetStringAsync(view.Address, Ct);
            id = System.Text.RegularExpressions.Regex.Match(index, "data-run=\"([^\"]+)\"[^>]*>(?:(?!</tr>).)*running-cell", System.Text.RegularExpressions.RegexOptions.Singleline) is { Success: true } m ? m.Groups[1].Value : null;
            await Task.Delay(50, Ct);
        }

        Assert.NotNull(id);
        var page = await Http.GetStringAsync(new Uri(view.Address, $"runs/{id}/"), Ct);
        Assert.Contains("data-refresh=\"2\"", page, StringComparison.Ordinal);
        Assert.Matches("Running: [01] of 1 case", page);

        Assert.Equal(id, await running);
        var done = await Http.GetStringAsync(new Uri(view.Address, $"runs/{id}/"), Ct);
        Assert.Contains("1 of 1 case(s) passed", done, StringComparison.Ordinal);
        Assert.DoesNotContain("<body data-refresh", done, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(reports, "runs", id, "progress.json")));
    }

    [Fact]
    public async Task TheRunBefore_IsTheWholeRunBefore_NotANarrowedOneNorOneWithNoCase()
    {
        var reports = Path.Combine(runs.Root, "reports-" + Guid.NewGuid().ToString("N")[..6]);
        RepoPaths.CopyTree(runs.Reports, reports);
        var narrowed = await runs.RunIntoAsync(reports, "codefix", ExitCodes.Ok, Ct, "--variant", "careful");
        var whole = await runs.RunIntoAsync(reports, "codefix", ExitCodes.Failed, Ct);
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", reports);

        var page = await Http.GetStringAsync(new Uri(view.Address, $"runs/{whole}/"), Ct);

        Assert.Contains($"Side by side with the run before ({runs.CodefixB})", page, StringComparison.Ordinal);
        Assert.DoesNotContain(narrowed, page, StringComparison.Ordinal);
        Assert.DoesNotContain("|changed|", page, StringComparison.Ordinal); // the same cassettes and suite as CodefixB
    }

    [Fact]
    public async Task Compare_ARunWithItself_IsABadRequest_AndEvalhCompareExitsTwo()
    {
        await using var view = await ServeHost.ViewAsync(Ct, "--reports", runs.Reports);
        using var response = await Http.GetAsync(new Uri(view.Address, $"compare/{runs.CodefixA}/{runs.CodefixA}/"), Ct);
        using var output = new StringWriter();
        var exit = await Evalh.InvokeAsync(output, output, ["compare", runs.CodefixA, runs.CodefixA, "--reports", runs.Reports, "--out", Path.Combine(runs.Root, "self.md")], Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is named twice", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InputError, exit);
        Assert.Contains("is named twice", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_AgainAfterARunWasDeleted_LeavesNoPageOfIt_AndRefusesAFileOrAFolderItDidNotWrite()
    {
        var reports = Path.Combine(runs.Root, "reports-" + Guid.NewGuid().ToString("N")[..6]);
        RepoPaths.CopyTree(runs.Reports, reports);
        var target = Path.Combine(runs.Root, "site-" + Guid.NewGuid().ToString("N")[..6]);
        using var output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await Evalh.InvokeAsync(output, output, ["view", "--reports", reports, "--export", target], Ct));
        Directory.Delete(Path.Combine(reports, "runs", runs.CodefixA), recursive: true);

        Assert.Equal(ExitCodes.Ok, await Evalh.InvokeAsync(output, output, ["view", "--reports", reports, "--export", target], Ct));

        Assert.False(Directory.Exists(Path.Combine(target, "runs", runs.CodefixA)));
        Assert.False(Directory.Exists(Path.Combine(target, "compare", runs.CodefixA)));
        Assert.True(File.Exists(Path.Combine(target, "runs", runs.CodefixB, "index.html")));

        var foreign = Path.Combine(runs.Root, "foreign-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "index.html"), "<html>my own page</html>");
        using var refused = new StringWriter();
        Assert.Equal(ExitCodes.InputError, await Evalh.InvokeAsync(refused, refused, ["view", "--reports", reports, "--export", foreign], Ct));
        Assert.Contains("holds an index.html that evalh view did not write", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal("<html>my own page</html>", File.ReadAllText(Path.Combine(foreign, "index.html")));
        Assert.Equal(ExitCodes.InputError, await Evalh.InvokeAsync(refused, refused, ["view", "--reports", reports, "--export", Path.Combine(foreign, "index.html")], Ct));
        Assert.Contains("a file, not a folder", refused.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "--port must be a port number from 1 to 65535")]
    [InlineData(new[] { "--export", "site", "--open" }, "--export writes the pages as files; --port and --open are for serving them")]
    public async Task View_OptionsThatCannotWork_ExitTwoSayingWhy(string[] args, string message)
    {
        using var output = new StringWriter();
        var exit = await Evalh.InvokeAsync(output, output, ["view", "--reports", runs.Reports, .. args], Ct);

        Assert.Equal(ExitCodes.InputError, exit);
        Assert.Contains(message, output.ToString(), StringComparison.Ordinal);
    }
}
