using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(EvalHarness.Tests.Support.BrowserFixture))]

namespace EvalHarness.Tests.Support;

/// <summary>
/// One headless Chromium for the whole test assembly, driven by Playwright. The browser starts on the first
/// <see cref="NewPageAsync"/>, so tests that never ask for a page pay nothing. Playwright cannot download its
/// own browser here: it drives Debian's <c>chromium</c>, or the binary named by <c>EVALH_CHROMIUM</c>.
/// A missing browser fails every browser test with what to install; it never skips them.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumVariable = "EVALH_CHROMIUM";

    public const string DefaultChromium = "/usr/bin/chromium";

    // CI runs as root, where Chromium refuses to start sandboxed; the rest keeps the browser off the network
    // (tests touch nothing beyond loopback and file://) and from doing background work of its own.
    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private readonly Lazy<Task<(IPlaywright Playwright, IBrowser Browser)>> _launch = new(LaunchAsync);

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : DefaultChromium;

    /// <summary>A page in a context of its own; dispose it to close the context.</summary>
    public async Task<BrowserPage> NewPageAsync(BrowserNewContextOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The launch is shared: one test's cancellation stops its wait, not the launch other tests wait on.
        var (_, browser) = await _launch.Value.WaitAsync(cancellationToken);
        var context = await browser.NewContextAsync(options).WaitAsync(cancellationToken);
        try
        {
            return new BrowserPage(context, await context.NewPageAsync().WaitAsync(cancellationToken));
        }
        catch
        {
            await context.DisposeAsync();
            throw;
        }
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (!_launch.IsValueCreated)
        {
            return;
        }

        var launch = _launch.Value;
        await ((Task)launch).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!launch.IsCompletedSuccessfully)
        {
            return; // nothing was left running, and the tests that asked for a page have reported why
        }

        var (playwright, browser) = await launch;
        await browser.DisposeAsync();
        playwright.Dispose();
    }

    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        var path = ChromiumPath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {path}. The browser tests need it: run `apt-get install -y chromium` " +
                $"(Debian), or set {ChromiumVariable} to a Chromium binary.");
        }

        // Checks wait for the page (Assertions.Expect) instead of reading it once; on a busy two-core machine the
        // report's scripts can take longer than Playwright's default 5 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = path, Headless = true, Args = Args });
            return (playwright, browser);
        }
        catch (PlaywrightException e)
        {
            playwright.Dispose();
            throw new InvalidOperationException($"Chromium at {path} did not start under Playwright: {e.Message}", e);
        }
    }
}
