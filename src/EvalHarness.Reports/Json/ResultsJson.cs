using System.Text.Json;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Json;

/// <summary>Writes and reads <c>results.json</c>, the complete record of a run that every other output is built from.</summary>
public static class ResultsJson
{
    /// <summary>Writes the run as indented JSON; a spooled run's cases are read back whole one at a time as they are written.</summary>
    public static Task WriteAsync(RunResult run, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var whole = !run.IsSpooled ? run : run with { Cases = new Whole(run) };
        return AtomicFile.WriteAsync(path, stream => JsonSerializer.SerializeAsync(stream, whole, RunResult.JsonTypeInfo, cancellationToken), cancellationToken);
    }

    /// <summary>Reads a run back.</summary>
    /// <exception cref="InvalidDataException">The file is not a results file; the message names it and the position.</exception>
    public static async Task<RunResult> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, RunResult.JsonTypeInfo, cancellationToken)
                ?? throw new InvalidDataException($"{path}: the file is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}:{(ex.LineNumber ?? 0) + 1}: not a results file ({ex.Message})", ex);
        }
    }

    /// <summary>A spooled run's cases, each read back whole when the serializer reaches it.</summary>
    private sealed class Whole(RunResult run) : IReadOnlyList<CaseResult>
    {
        public int Count => run.Cases.Count;

        public CaseResult this[int index] => run.WithDetails(run.Cases[index]);

        public IEnumerator<CaseResult> GetEnumerator() => run.CasesWithDetails().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
