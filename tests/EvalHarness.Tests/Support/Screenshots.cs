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

    /// <summary>Saves a screenshot of <paramref name="page"/> (the whole page, or what the window shows) and returns its path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name, CancellationToken cancellationToken = default, bool fullPage = true)
    {
        ArgumentNullException.ThrowIfNull(page);
        var path = PathFor(name);
        Directory.CreateDirectory(Folder);
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage }).WaitAsync(cancellationToken);
        return path;
    }

    /// <summary>The variable naming a folder (docs/images) that <see cref="SaveForDocsAsync"/> also writes to.</summary>
    public const string DocsVariable = "EVALH_DOCS_IMAGES";

    /// <summary>
    /// A screenshot the docs show: saved like the others, and copied into the folder <see cref="DocsVariable"/> names,
    /// so the pictures in docs/images are the ones these tests take
    /// (<c>EVALH_DOCS_IMAGES=docs/images dotnet test</c> from the repository's root refreshes them).
    /// </summary>
    public static async Task<string> SaveForDocsAsync(IPage page, string name, CancellationToken cancellationToken = default, bool fullPage = true)
    {
        var path = await SaveAsync(page, name, cancellationToken, fullPage);
        if (Environment.GetEnvironmentVariable(DocsVariable) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.Copy(path, Path.Combine(folder, name + ".png"), overwrite: true);
        }

        return path;
    }
}
