using System.Globalization;
using CsvHelper;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.History;

/// <summary>
/// <c>reports/history/&lt;suite key&gt;.csv</c> (see <see cref="SuiteKeys"/>): one row per case per run, appended as runs
/// finish, read back for trends and flakiness. A run's rows are appended in one write under an exclusive lock, so two
/// runs finishing together never interleave.
/// </summary>
public static class HistoryFile
{
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
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
        try
        {
            await using var csv = CsvReader.Create(stream, new CsvReaderOptions(), leaveOpen: true);
            await foreach (var row in csv.GetRecordsAsync<HistoryRow>(cancellationToken))
            {
                if (row.Suite != suite)
                {
                    continue;
                }

                var startedAt = DateTimeOffset.Parse(row.StartedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                if (startedAt <= until)
                {
                    entries.Add(new HistoryEntry(row.RunId, startedAt, row.Suite, row.Variant, row.Scenario, row.Trial, row.Passed, row.Error, row.Steps, row.CostUsd, row.LatencyMs, row.GitCommit));
                }
            }
        }
        catch (Exception ex) when (ex is CsvFormatException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a history file EvalHarness can read ({ex.Message}). Move it aside; the next run starts a new one.", ex);
        }

        return entries;
    }

    private static byte[] Rows(RunResult run, bool writeHeader)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, new CsvWriterOptions { HasHeader = writeHeader, Injection = CsvInjection.Escape, FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            csv.WriteRecords(run.Cases.Select(c => new HistoryRow
            {
                RunId = run.RunId,
                StartedAt = run.StartedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                Suite = run.Suite,
                Variant = c.Variant,
                Scenario = c.Scenario,
                Trial = c.Trial,
                Passed = c.Passed,
                Error = c.Error is not null,
                Steps = c.Steps,
                InputTokens = c.InputTokens,
                OutputTokens = c.OutputTokens,
                CostUsd = c.CostUsd,
                LatencyMs = c.LatencyMs,
                GitCommit = run.Git?.Commit ?? string.Empty,
                GitBranch = run.Git?.Branch ?? string.Empty,
            }));
            csv.Flush();
        }

        return buffer.ToArray();
    }
}
