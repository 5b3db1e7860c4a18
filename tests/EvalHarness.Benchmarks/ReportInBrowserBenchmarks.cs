using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using EvalHarness.Reports;
using EvalHarness.Reports.Html;
using Microsoft.Playwright;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Whether the report of a large run stays usable in a real browser: Debian's Chromium, driven by Playwright,
/// opens it, filters the case table and sorts it. The baseline opens the report of 100 cases.
/// Needs <c>/usr/bin/chromium</c> (or <c>EVALH_CHROMIUM</c>).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ReportInBrowserBenchmarks
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"evalh-bench-{Guid.NewGuid():N}");
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;
    private string _small = null!;
    private string _large = null!;

    [Params(10_000)]
    public int Cases { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        Directory.CreateDirectory(_folder);
        _small = await WriteAsync(100);
        _large = await WriteAsync(Cases);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("EVALH_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        _page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task Open100() => OpenAsync(_small);

    /// <summary>Loaded, laid out, and its case table drawn from the case data: the page answers.</summary>
    [Benchmark]
    public Task OpenLarge() => OpenAsync(_large);

    /// <summary>Open, then type a filter and wait for the table to show the matching rows.</summary>
    [Benchmark]
    public async Task<string> OpenAndFilterLarge()
    {
        await OpenAsync(_large);
        await _page.Locator("#case-filter").FillAsync("scenario-00042");
        await _page.WaitForFunctionAsync("() => document.getElementById('case-count').textContent.startsWith('2 of')");
        return await _page.Locator("#case-count").InnerTextAsync();
    }

    /// <summary>Open, then sort the table by latency, descending.</summary>
    [Benchmark]
    public async Task<string> OpenAndSortLarge()
    {
        await OpenAsync(_large);
        var latency = _page.Locator("#cases thead th", new() { HasText = "Latency" });
        await latency.ClickAsync();
        await latency.ClickAsync();
        return await _page.Locator("#cases tbody tr").First.InnerTextAsync();
    }

    private async Task OpenAsync(string url)
    {
        await _page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load });
        await _page.WaitForFunctionAsync("() => document.getElementById('case-count').textContent.length > 0");
    }

    /// <summary>Open, then show the details of the last case, which are not in the page's HTML but in its case data.</summary>
    [Benchmark]
    public async Task<bool> OpenAndShowDetailsLarge()
    {
        await OpenAsync(_large);
        await _page.Locator("#case-filter").FillAsync($"scenario-{(Cases / 2) - 1:00000}");
        await _page.Locator("#cases tbody a").Last.ClickAsync();
        return await _page.Locator("#more-details details").IsVisibleAsync();
    }

    private async Task<string> WriteAsync(int cases)
    {
        var run = SyntheticRuns.Run(cases);
        var context = ReportContext.Create(run, SyntheticRuns.Run(cases, "20261121-090000-bench-baseline", seed: 2), gate: null, SyntheticRuns.History(run));
        var path = Path.Combine(_folder, $"report-{cases}.html");
        await File.WriteAllTextAsync(path, HtmlReportWriter.Render(context));
        return new Uri(path).AbsoluteUri;
    }
}
