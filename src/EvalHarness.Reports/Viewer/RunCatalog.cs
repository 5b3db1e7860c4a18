using System.Collections.Concurrent;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Json;

namespace EvalHarness.Reports.Viewer;

/// <summary>
/// The runs under a reports folder (<c>runs/&lt;run-id&gt;/</c>): each with results.json, and those still running with
/// their progress file. A run's results are read once and kept while its files do not change, so a page that refreshes
/// reads only what changed. Only folders directly under <c>runs/</c> are read: an id is a folder name, never a path.
/// </summary>
internal sealed class RunCatalog
{
    private readonly ConcurrentDictionary<string, (FileStamp Stamp, ViewRun Run)> _headlines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (FileStamp Stamp, RunResult Run)> _results = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _unreadable = new(StringComparer.Ordinal);

    public RunCatalog(string reportsDirectory)
    {
        Root = Path.GetFullPath(reportsDirectory);
        Runs = Path.Combine(Root, "runs");
    }

    /// <summary>The reports folder, in full.</summary>
    public string Root { get; }

    /// <summary>Its <c>runs</c> folder.</summary>
    public string Runs { get; }

    /// <summary>The runs whose results could not be read when last asked for, each with why: the index names them.</summary>
    public IReadOnlyDictionary<string, string> Unreadable => _unreadable;

    /// <summary>Every run, the latest started first; one whose results cannot be read is left out (and named in <see cref="Unreadable"/>).</summary>
    public async Task<IReadOnlyList<ViewRun>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Runs))
        {
            return [];
        }

        var runs = new List<ViewRun>();
        _unreadable.Clear();
        foreach (var folder in Directory.EnumerateDirectories(Runs))
        {
            if (await HeadlineAsync(Path.GetFileName(folder), cancellationToken) is { } run)
            {
                runs.Add(run);
            }
        }

        return [.. runs.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>The folder of the run <paramref name="id"/>, or null when <paramref name="id"/> names none (or is not a folder name).</summary>
    public string? FolderOf(string id)
    {
        if (string.IsNullOrEmpty(id) || id is "." or ".." || id.IndexOfAny(['/', '\\', '\0']) >= 0 || id.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            return null;
        }

        var folder = Path.GetFullPath(Path.Combine(Runs, id));
        return Path.GetDirectoryName(folder) == Runs && Directory.Exists(folder) ? folder : null;
    }

    /// <summary>The headline of a run, or null when there is no such run or its files cannot be read.</summary>
    public async Task<ViewRun?> HeadlineAsync(string id, CancellationToken cancellationToken = default)
    {
        if (FolderOf(id) is not { } folder)
        {
            return null;
        }

        var results = Path.Combine(folder, "results.json");
        if (File.Exists(results))
        {
            var stamp = FileStamp.Of(results, Path.Combine(folder, GateJson.FileName));
            if (_headlines.TryGetValue(id, out var known) && known.Stamp == stamp)
            {
                return known.Run;
            }

            if (await ResultsAsync(id, cancellationToken) is not { } run)
            {
                return null;
            }

            GateResult? gate = null;
            try
            {
                gate = await GateJson.ReadAsync(folder, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                // A gate file that cannot be read: the run is listed without the gate's verdict.
            }

            var headline = ViewRun.Of(run, Root, gate);
            _headlines[id] = (stamp, headline);
            return headline;
        }

        return RunProgressFile.Read(Path.Combine(folder, RunProgressFile.FileName)) is { } progress && progress.Progress.RunId == id
            ? ViewRun.Of(progress.Progress, progress.WrittenAt, progress.SuiteKey, progress.ProcessGone)
            : null;
    }

    /// <summary>A run's whole results, or null when it has none (yet) or they cannot be read.</summary>
    public async Task<RunResult?> ResultsAsync(string id, CancellationToken cancellationToken = default)
    {
        if (FolderOf(id) is not { } folder || !File.Exists(Path.Combine(folder, "results.json")))
        {
            return null;
        }

        var path = Path.Combine(folder, "results.json");
        var stamp = FileStamp.Of(path, null);
        if (_results.TryGetValue(id, out var known) && known.Stamp == stamp)
        {
            return known.Run;
        }

        try
        {
            var run = SuiteKeys.Keyed(await ResultsJson.ReadAsync(path, cancellationToken), Root);
            // Whole results are large: only the last few read are kept.
            if (_results.Count >= 8)
            {
                _results.Clear();
            }

            _results[id] = (stamp, run);
            _unreadable.TryRemove(id, out _);
            return run;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            _unreadable[id] = ex.Message;
            return null;
        }
    }

    /// <summary>When and how large a run's files were: the cache holds while it does not change.</summary>
    private readonly record struct FileStamp(DateTime Written, long Length, DateTime GateWritten)
    {
        public static FileStamp Of(string path, string? gate)
        {
            var file = new FileInfo(path);
            return new FileStamp(file.LastWriteTimeUtc, file.Exists ? file.Length : -1, gate is null ? default : File.GetLastWriteTimeUtc(gate));
        }
    }
}
