using EvalHarness.Core.Results;
using EvalHarness.Reports.History;

namespace EvalHarness.Reports.Viewer;

/// <summary>What the viewer answers a path with: a page, a file of a run's folder, a redirect, or not found.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="ContentType">The media type.</param>
/// <param name="Body">The page or message; null for a file.</param>
/// <param name="FilePath">A file to send as it is (a run's report), or null.</param>
/// <param name="Location">Where a redirect goes, or null.</param>
internal sealed record ViewResponse(int Status, string ContentType, string? Body, string? FilePath = null, string? Location = null)
{
    public const string Html = "text/html; charset=utf-8";

    public static ViewResponse Page(string html) => new(200, Html, html);

    public static ViewResponse NotFound(string why) => new(404, "text/plain; charset=utf-8", why + "\n");

    public static ViewResponse Redirect(string location) => new(302, "text/plain; charset=utf-8", $"See {location}\n", Location: location);
}

/// <summary>
/// The viewer over a reports folder, read-only: <c>/</c> lists every run, <c>/runs/&lt;id&gt;/</c> is a run's page
/// (with its report, served from its folder, at <c>report.html</c>), <c>/compare/&lt;a&gt;/&lt;b&gt;/</c> two runs
/// side by side, <c>/suites/&lt;suite-key&gt;/</c> a suite's trends. Only files of a run's folder are ever read
/// beside its results, and only those it names (<see cref="RunFiles"/>): a path that would leave the folder is not found.
/// <see cref="ExportAsync"/> writes the same pages as files.
/// </summary>
internal sealed partial class ViewSite(string reportsDirectory, TimeProvider? time = null)
{
    /// <summary>The files of a run's folder the viewer serves.</summary>
    public static readonly IReadOnlySet<string> RunFiles = new HashSet<string>(StringComparer.Ordinal)
    {
        "report.html", "results.json", "cases.csv", "summary.md", "junit.xml", "gate.json",
    };

    /// <summary>How many of each suite's latest runs an export can put side by side (every pair of them).</summary>
    public const int ExportRuns = 20;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The runs.</summary>
    public RunCatalog Catalog { get; } = new(reportsDirectory);

    /// <summary>Answers a request for <paramref name="path"/> (<c>/runs/&lt;id&gt;/index.html</c>), URL-decoded as Kestrel gives it.</summary>
    public async Task<ViewResponse> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.TrimStart('/').Split('/');
        if (segments.Any(s => s is "." or ".." || s.IndexOfAny(['\\', '\0']) >= 0))
        {
            return ViewResponse.NotFound($"{path}: not a page of this reports folder.");
        }

        // A folder's page is its index.html; a folder named without its slash is sent to it, so relative links work.
        var page = segments[^1] is "" or "index.html";
        var parts = page ? segments[..^1] : segments;
        return parts switch
        {
            [] => ViewResponse.Page(await IndexAsync(live: true, null, cancellationToken)),
            ["runs", var id] when page => await RunAsync(id, live: true, await Catalog.ListAsync(cancellationToken), cancellationToken),
            ["compare", var a, var b] when page => await CompareAsync(a, b, cancellationToken),
            ["suites", var slug] when page => await TrendsAsync(slug, await Catalog.ListAsync(cancellationToken), cancellationToken),
            ["runs", _] or ["compare", _, _] or ["suites", _] => ViewResponse.Redirect(path.TrimEnd('/') + "/"),
            ["runs", var id, var file] when RunFiles.Contains(file) => RunFile(id, file),
            ["runs", var id, "charts", var chart] when chart.EndsWith(".svg", StringComparison.Ordinal) || chart.EndsWith(".png", StringComparison.Ordinal) => RunFile(id, $"charts/{chart}"),
            _ => ViewResponse.NotFound($"{path}: no such page. The runs are listed at /."),
        };
    }

    private async Task<string> IndexAsync(bool live, IReadOnlySet<string>? exported, CancellationToken cancellationToken)
    {
        var runs = await Catalog.ListAsync(cancellationToken);
        return ViewPages.Index(runs, Catalog.Unreadable, Catalog.Root, _time.GetUtcNow(), live, exported, ExportRuns);
    }

    /// <summary>A run's page; <paramref name="runs"/> is the list it finds the run before in (read once for a whole export).</summary>
    private async Task<ViewResponse> RunAsync(string id, bool live, IReadOnlyList<ViewRun> runs, CancellationToken cancellationToken)
    {
        if (await Catalog.HeadlineAsync(id, cancellationToken) is not { } headline)
        {
            return ViewResponse.NotFound(Catalog.Unreadable.TryGetValue(id, out var why) ? $"runs/{id}: {why}" : $"runs/{id}: no such run in {Catalog.Runs}.");
        }

        if (headline.InProgress || await Catalog.ResultsAsync(id, cancellationToken) is not { } run)
        {
            return ViewResponse.Page(ViewPages.Progress(headline, _time.GetUtcNow(), live));
        }

        var before = runs.FirstOrDefault(r => r.SuiteKey == headline.SuiteKey && r.Whole && r.StartedAt < headline.StartedAt && r.Id != id);
        var previous = before is null ? null : await Catalog.ResultsAsync(before.Id, cancellationToken);
        var flaky = new RunHistory(await HistoryFile.ReadAsync(
            HistoryFile.PathFor(Catalog.Root, headline.SuiteKey), run.Suite, run.StartedAt, RunHistory.FlakyWindow, cancellationToken)).Flaky();
        var hasReport = File.Exists(Path.Combine(Catalog.FolderOf(id)!, "report.html"));
        return ViewResponse.Page(ViewPages.Run(headline, run, previous, flaky, hasReport));
    }

    private async Task<ViewResponse> CompareAsync(string a, string b, CancellationToken cancellationToken)
    {
        var runs = new List<RunResult>();
        foreach (var id in new[] { a, b })
        {
            if (await Catalog.ResultsAsync(id, cancellationToken) is not { } run)
            {
                return ViewResponse.NotFound(Catalog.Unreadable.TryGetValue(id, out var why) ? $"runs/{id}: {why}" : $"runs/{id}: no finished run of that id in {Catalog.Runs}.");
            }

            runs.Add(run);
        }

        try
        {
            var comparison = await RunPairs.CompareAsync(runs[0], runs[1], Catalog.Root, cancellationToken);
            return ViewResponse.Page(ViewPages.Compare(runs[0], runs[1], comparison));
        }
        catch (ArgumentException ex)
        {
            return new ViewResponse(400, "text/plain; charset=utf-8", ex.Message + "\n");
        }
    }

    private async Task<ViewResponse> TrendsAsync(string slug, IReadOnlyList<ViewRun> all, CancellationToken cancellationToken)
    {
        var runs = all.Where(r => ViewPages.SuiteSlug(r.SuiteKey) == slug).ToList();
        if (runs.Count == 0)
        {
            return ViewResponse.NotFound($"suites/{slug}: no run of such a suite in {Catalog.Runs}.");
        }

        var (suite, key) = (runs[0].Suite, runs[0].SuiteKey);
        var history = await HistoryFile.ReadAsync(HistoryFile.PathFor(Catalog.Root, key), suite, DateTimeOffset.MaxValue, RunHistory.TrendRuns, cancellationToken);
        return ViewResponse.Page(ViewPages.Trends(suite, key, history, runs, _time.GetUtcNow()));
    }

    private ViewResponse RunFile(string id, string file)
    {
        if (Catalog.FolderOf(id) is not { } folder)
        {
            return ViewResponse.NotFound($"runs/{id}: no such run in {Catalog.Runs}.");
        }

        var path = Path.GetFullPath(Path.Combine(folder, file));
        if (!path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
        {
            return ViewResponse.NotFound($"runs/{id}/{file}: not in the run's folder.");
        }

        var type = Path.GetExtension(file) switch
        {
            ".html" => ViewResponse.Html,
            ".json" => "application/json; charset=utf-8",
            ".csv" => "text/csv; charset=utf-8",
            ".xml" => "application/xml; charset=utf-8",
            ".svg" => "image/svg+xml",
            ".png" => "image/png",
            _ => "text/plain; charset=utf-8",
        };
        return new ViewResponse(200, type, null, path);
    }
}
