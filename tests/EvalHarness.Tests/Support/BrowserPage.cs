using Microsoft.Playwright;

namespace EvalHarness.Tests.Support;

/// <summary>A page of <see cref="BrowserFixture"/> in a browser context of its own: cookies, storage and media emulation are not shared between tests.</summary>
public sealed class BrowserPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    /// <summary>Saves a full-page screenshot as <c>screenshots/&lt;name&gt;.png</c> beside the test assembly and returns its path.</summary>
    public Task<string> ScreenshotAsync(string name, CancellationToken cancellationToken = default) =>
        Screenshots.SaveAsync(Page, name, cancellationToken);

    public ValueTask DisposeAsync() => context.DisposeAsync();
}
