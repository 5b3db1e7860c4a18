using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Viewer;

/// <summary>What an export wrote.</summary>
/// <param name="Directory">The folder, in full.</param>
/// <param name="Runs">Run pages.</param>
/// <param name="Comparisons">Side-by-side pages.</param>
/// <param name="Suites">Trends pages.</param>
internal sealed record ViewExport(string Directory, int Runs, int Comparisons, int Suites);

/// <summary><c>evalh view --export</c>: the viewer's pages as files, for a CI artifact or a static site.</summary>
internal sealed partial class ViewSite
{
    /// <summary>
    /// Writes the pages into <paramref name="directory"/>: <c>index.html</c>, each run's page with a copy of its report,
    /// each suite's trends, and the side-by-side page of every two of each suite's last <see cref="ExportRuns"/> finished
    /// runs. Each file is written whole or not at all. The folder may not be the reports folder or inside its runs.
    /// </summary>
    /// <exception cref="ArgumentException">The folder is the reports folder, or inside its runs or history.</exception>
    public async Task<ViewExport> ExportAsync(string directory, Action<string>? onProgress = null, CancellationToken cancellationToken = default)
    {
        var target = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        foreach (var kept in new[] { Catalog.Root, Catalog.Runs, Path.Combine(Catalog.Root, "history"), Path.Combine(Catalog.Root, "baselines") })
        {
            if (target == kept || target.StartsWith(kept + Path.DirectorySeparatorChar, StringComparison.Ordinal) && kept != Catalog.Root)
            {
                throw new ArgumentException($"{directory}: the export would write into the reports folder's own files ({kept}). Name a folder of its own, such as {Path.Combine(Catalog.Root, "site")}.");
            }
        }

        if (File.Exists(target))
        {
            throw new ArgumentException($"{directory}: a file, not a folder. Name a folder for the pages, such as {Path.Combine(Catalog.Root, "site")}.");
        }

        ClearPreviousExport(target, directory);
        var runs = await Catalog.ListAsync(cancellationToken);
        var comparable = runs.Where(r => !r.InProgress).GroupBy(r => r.SuiteKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Take(ExportRuns).Reverse().ToList(), StringComparer.Ordinal); // oldest first
        var exported = comparable.Values.SelectMany(r => r).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        await AtomicFile.WriteTextAsync(Path.Combine(target, "index.html"), ViewPages.Index(runs, Catalog.Unreadable, Catalog.Root, now, live: false, exported, ExportRuns), cancellationToken);

        foreach (var run in runs)
        {
            var page = await RunAsync(run.Id, live: false, runs, cancellationToken);
            await AtomicFile.WriteTextAsync(Path.Combine(target, "runs", run.Id, "index.html"), page.Body!, cancellationToken);
            var report = Path.Combine(Catalog.FolderOf(run.Id)!, "report.html");
            if (File.Exists(report))
            {
                await AtomicFile.WriteAsync(Path.Combine(target, "runs", run.Id, "report.html"), async stream =>
                {
                    await using var source = File.OpenRead(report);
                    await source.CopyToAsync(stream, cancellationToken);
                }, cancellationToken);
            }
        }

        onProgress?.Invoke($"{runs.Count} run page(s)");
        var comparisons = 0;
        foreach (var (key, suiteRuns) in comparable)
        {
            var results = new List<RunResult>();
            foreach (var run in suiteRuns)
            {
                results.AddRange(await Catalog.ResultsAsync(run.Id, cancellationToken) is { } r ? [r] : []);
            }

            for (var i = 0; i < results.Count; i++)
            {
                for (var j = i + 1; j < results.Count; j++)
                {
                    var comparison = await RunPairs.CompareAsync(results[i], results[j], Catalog.Root, cancellationToken);
                    var path = Path.Combine(target, "compare", results[i].RunId, results[j].RunId, "index.html");
                    await AtomicFile.WriteTextAsync(path, ViewPages.Compare(results[i], results[j], comparison), cancellationToken);
                    comparisons++;
                }
            }

            onProgress?.Invoke($"{key}: {results.Count * (results.Count - 1) / 2} side-by-side page(s)");
        }

        // Every suite's trends, those whose runs are all still running too.
        var suites = runs.Select(r => r.SuiteKey).Distinct(StringComparer.Ordinal).ToList();
        foreach (var key in suites)
        {
            var trends = await TrendsAsync(ViewPages.SuiteSlug(key), runs, cancellationToken);
            await AtomicFile.WriteTextAsync(Path.Combine(target, "suites", ViewPages.SuiteSlug(key), "index.html"), trends.Body!, cancellationToken);
        }

        return new ViewExport(target, runs.Count, comparisons, suites.Count);
    }

    /// <summary>
    /// Removes the pages of an earlier export into the same folder, so a run deleted since is not shipped again; a folder
    /// whose index.html the viewer did not write is refused rather than mixed with (nothing of the user's is lost).
    /// </summary>
    private static void ClearPreviousExport(string target, string named)
    {
        var index = Path.Combine(target, "index.html");
        if (!File.Exists(index))
        {
            return;
        }

        if (!File.ReadAllText(index).Contains("<meta name=\"generator\" content=\"EvalHarness\">", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{named}: holds an index.html that evalh view did not write. Export into an empty folder, or one an earlier export wrote.");
        }

        foreach (var folder in new[] { "runs", "compare", "suites" })
        {
            if (Directory.Exists(Path.Combine(target, folder)))
            {
                Directory.Delete(Path.Combine(target, folder), recursive: true);
            }
        }
    }
}
