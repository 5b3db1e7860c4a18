using System.Globalization;
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

    /// <summary>
    /// Reads the rows of <paramref name="suite"/> from runs that started no later than <paramref name="until"/>, so a
    /// report rebuilt later sees the same history it saw first. An absent file is an empty history.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a history file; the message names it.</exception>
    public static async Task<IReadOnlyList<HistoryEntry>> ReadAsync(string path, string suite, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var entries = new List<HistoryEntry>();
        // Read as it is parsed: a long history is many runs of many cases.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
        using var text = new StreamReader(stream);
        var line = 0;
        try
        {
            Dictionary<string, int>? at = null;
            foreach (var (number, fields) in CsvText.Read(text))
            {
                cancellationToken.ThrowIfCancellationRequested();
                line = number;
                if (at is null)
                {
                    at = fields.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
                    if (ReadColumns.FirstOrDefault(c => !at.ContainsKey(c)) is { } missing)
                    {
                        throw new FormatException($"line 1: no column '{missing}'");
                    }

                    continue;
                }

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
            var where = ex.Message.StartsWith("line ", StringComparison.Ordinal) ? ex.Message : $"line {line}: {ex.Message}";
            throw new InvalidDataException($"{path}: not a history file EvalHarness can read ({where}). Move it aside; the next run starts a new one.", ex);
        }

        return entries;
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
