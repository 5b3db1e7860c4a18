using Microsoft.Playwright;

namespace EvalHarness.Tests.Support;

/// <summary>Screenshots of pages under test, kept beside the test assembly so a person can look at what a test saw.</summary>
internal static class Screenshots
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>The path of <c>&lt;name&gt;.png</c>; the name is one file name, not a path.</summary>
    public static string PathFor(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
        {
            throw new ArgumentException($"\"{name}\" is not a file name.", nameof(name));
        }

        return Path.Combine(Folder, name + ".png");
    }

    /// <summary>Saves a full-page screenshot of <paramref name="page"/> and returns its path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(page);
        var path = PathFor(name);
        Directory.CreateDirectory(Folder);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true }).WaitAsync(cancellationToken);
        return path;
    }
}
