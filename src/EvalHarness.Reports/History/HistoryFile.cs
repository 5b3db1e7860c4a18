using System.Globalization;
using System.Text;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Csv;

namespace EvalHarness.Reports.History;

/// <summary>
/// <c>reports/history/&lt;suite key&gt;.csv</c> (see <see cref="SuiteKeys"/>): one row per case per run, appended as runs
/// finish, read back for trends and flakiness. A run's rows are appended in one write under an exclusive lock, so two
/// runs finishing together never interleave.
/// </summary>
public static class HistoryFile
{
    /// <summary>The columns, in order; snake_case for tools outside .NET. A reader finds them by name.</summary>
    private static readonly string[] Columns =
    [
        "run_id", "started_at", "suite", "variant", "scenario", "trial", "passed", "error", "steps", "input_tokens", "output_tokens",
        "cost_usd", "latency_ms", "git_commit", "git_branch",
    ];

    /// <summary>The columns <see cref="ReadAsync"/> needs; the token counts and the branch are there for tools outside .NET.</summary>
    private static readonly string[] ReadColumns =
    [
        "run_id", "started_at", "suite", "variant", "scenario", "trial", "passed", "error", "steps", "cost_usd", "latency_ms", "git_commit",
    ];

    /// <summary>The history file of the suite keyed <paramref name="suiteKey"/> under <paramref name="reportsDirectory"/>.</summary>
    public static string PathFor(string reportsDirectory, string suiteKey) => Path.Combine(reportsDirectory, "history", $"{suiteKey}.csv");

    /// <summary>Appends one row per case of <paramref name="run"/>; writes the header when the file is new.</summary>
    public static async Task AppendAsync(string path, RunResult run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 64 * 1024, useAsync: true);
                var rows = Rows(run, writeHeader: file.Length == 0);
                file.Seek(0, SeekOrigin.End);
                await file.WriteAsync(rows, cancellationToken);
                return;
            }
            catch (IOException) when (attempt < 50 && File.Exists(path))
            {
                // Another run holds the file for its own append: wait a moment and try again.
                await Task.Delay(20 * attempt, cancellationToken);
            }
        }
    }

    /// <summary>Every run the file holds, for <see cref="ReadAsync"/>'s <c>lastRuns</c>.</summary>
    public const int AllRuns = int.MaxValue;

    /// <summary>
    /// Runs read beyond <c>lastRuns</c>: rows are appended as runs finish, and the history orders runs by when they
    /// started, so a run that started early and finished late (runs at once) is still seen among the last.
    /// </summary>
    internal const int OutOfOrderRuns = 5;

    /// <summary>How much of the file is read at a time from its end.</summary>
    private const int Block = 256 * 1024;

    /// <summary>
    /// Reads the rows of <paramref name="suite"/> from runs that started no later than <paramref name="until"/>, so a
    /// report rebuilt later sees the same history it saw first: the rows of the last <paramref name="lastRuns"/> such
    /// runs and <see cref="OutOfOrderRuns"/> more, as far as the file has them, in the order they were written. The file
    /// is read from its end and only as far back as those runs go, so a report's cost does not grow with the age of the
    /// history. An absent file is an empty history.
    /// </summary>
    /// <remarks>A row is one line: every field the harness writes is free of line breaks (names are identifiers).</remarks>
    /// <exception cref="InvalidDataException">The file is not a history file; the message names it and the line.</exception>
    public static async Task<IReadOnlyList<HistoryEntry>> ReadAsync(
        string path, string suite, DateTimeOffset until, int lastRuns = AllRuns, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lastRuns);
        if (!File.Exists(path))
        {
            return [];
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.RandomAccess);
        var end = stream.Length; // a run appending meanwhile writes after this: it is not read
        var (at, bodyStart) = await HeaderAsync(stream, end, path, cancellationToken);
        var regions = new List<List<HistoryEntry>>(); // the latest first
        var runs = new HashSet<string>(StringComparer.Ordinal);
        var met = new List<string>(); // the runs in the order they are met, the latest written first
        var carry = Array.Empty<byte>(); // the start of a line whose end was read in the block before
        var wanted = lastRuns > AllRuns - OutOfOrderRuns - 1 ? AllRuns : lastRuns + OutOfOrderRuns + 1;
        while (end > bodyStart && met.Count < wanted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Math.Max(bodyStart, end - Block);
            var read = (int)(end - start);
            var bytes = new byte[read + carry.Length];
            stream.Position = start;
            await stream.ReadExactlyAsync(bytes.AsMemory(0, read), cancellationToken);
            carry.CopyTo(bytes, read);
            var from = 0;
            if (start > bodyStart)
            {
                // The block may begin inside a line: that part is read with the block before it.
                from = Array.IndexOf(bytes, (byte)'\n') + 1;
                carry = bytes[..(from == 0 ? bytes.Length : from)];
            }

            end = start;
            if (from == 0 && start > bodyStart)
            {
                continue; // no line begins in this block
            }

            var region = new List<HistoryEntry>();
            try
            {
                Parse(Encoding.UTF8.GetString(bytes, from, bytes.Length - from), at, suite, until, region);
            }
            catch (FormatException ex)
            {
                var line = (ex.Data["line"] as int? ?? 1) + await LinesBeforeAsync(stream, start + from, cancellationToken);
                throw NotAHistoryFile(path, line, ex.Message, ex);
            }

            regions.Add(region);
            for (var i = region.Count - 1; i >= 0; i--)
            {
                if (runs.Add(region[i].RunId))
                {
                    met.Add(region[i].RunId);
                }
            }
        }

        // The runs met first; the one met last where reading stopped before the file's start may have begun in a block
        // not read, so it is left out whole (there are always more runs met than kept then).
        HashSet<string>? keep = met.Count < wanted ? null : new(met.Take(wanted - 1), StringComparer.Ordinal);
        var entries = new List<HistoryEntry>(regions.Sum(r => r.Count));
        for (var i = regions.Count - 1; i >= 0; i--)
        {
            entries.AddRange(keep is null ? regions[i] : regions[i].Where(e => keep.Contains(e.RunId)));
        }

        return entries;
    }

    /// <summary>The column positions from the first line, and where the rows begin.</summary>
    private static async Task<(Dictionary<string, int> At, long BodyStart)> HeaderAsync(FileStream stream, long length, string path, CancellationToken cancellationToken)
    {
        var header = new List<byte>();
        var buffer = new byte[4096];
        stream.Position = 0;
        int read;
        var newline = -1;
        while (newline < 0 && header.Count < length && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
            header.AddRange(buffer.AsSpan(0, newline < 0 ? read : newline + 1));
        }

        var fields = header.Count == 0 ? [] : CsvText.Read(new StringReader(Encoding.UTF8.GetString([.. header]))).FirstOrDefault().Fields ?? [];
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            at.TryAdd(fields[i], i);
        }

        return ReadColumns.FirstOrDefault(c => !at.ContainsKey(c)) is { } missing && header.Count > 0
            ? throw NotAHistoryFile(path, 1, $"no column '{missing}'")
            : (at, Math.Min(header.Count, length));
    }

    /// <summary>Adds the rows of whole lines of history to <paramref name="entries"/>, those of <paramref name="suite"/> up to <paramref name="until"/>.</summary>
    /// <exception cref="FormatException">A row is not a history row; <c>Data["line"]</c> is its line in <paramref name="lines"/>.</exception>
    private static void Parse(string lines, Dictionary<string, int> at, string suite, DateTimeOffset until, List<HistoryEntry> entries)
    {
        var line = 1;
        try
        {
            foreach (var (number, fields) in CsvText.Read(new StringReader(lines)))
            {
                line = number;
                string Field(string column) => at[column] < fields.Count ? fields[at[column]] : throw new FormatException($"no '{column}' field");
                if (Field("suite") != suite)
                {
                    continue;
                }

                var startedAt = DateTimeOffset.Parse(Field("started_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                if (startedAt <= until)
                {
                    entries.Add(new HistoryEntry(
                        Field("run_id"), startedAt, suite, Field("variant"), Field("scenario"), int.Parse(Field("trial"), CultureInfo.InvariantCulture),
                        bool.Parse(Field("passed")), bool.Parse(Field("error")), int.Parse(Field("steps"), CultureInfo.InvariantCulture),
                        Field("cost_usd") is { Length: > 0 } cost ? decimal.Parse(cost, NumberStyles.Float, CultureInfo.InvariantCulture) : null,
                        double.Parse(Field("latency_ms"), CultureInfo.InvariantCulture), Field("git_commit")));
                }
            }
        }
        catch (FormatException ex)
        {
            ex.Data["line"] = line;
            throw;
        }
    }

    private static InvalidDataException NotAHistoryFile(string path, int line, string what, Exception? inner = null) =>
        new($"{path}: not a history file EvalHarness can read (line {line}: {what}). Move it aside; the next run starts a new one.", inner);

    /// <summary>The number of lines that end before <paramref name="offset"/>: for an error's line number only.</summary>
    private static async Task<int> LinesBeforeAsync(FileStream stream, long offset, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        stream.Position = 0;
        var lines = 0;
        for (var left = offset; left > 0;)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            left -= read;
        }

        return lines;
    }

    private static byte[] Rows(RunResult run, bool writeHeader)
    {
        var csv = new CsvText();
        if (writeHeader)
        {
            csv.Header(Columns);
        }

        var startedAt = run.StartedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        foreach (var c in run.Cases)
        {
            csv.Text(run.RunId).Text(startedAt).Text(run.Suite).Text(c.Variant).Text(c.Scenario).Value(c.Trial).Value(c.Passed).Value(c.Error is not null)
                .Value(c.Steps).Value(c.InputTokens).Value(c.OutputTokens).Value(c.CostUsd).Value(c.LatencyMs)
                .Text(run.Git?.Commit).Text(run.Git?.Branch).EndLine();
        }

        return csv.ToUtf8();
    }
}
