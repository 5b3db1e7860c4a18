using System.Text.Encodings.Web;
using System.Text.Json;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Json;

/// <summary>Writes and reads <c>results.json</c>, the complete record of a run that every other output is built from.</summary>
public static class ResultsJson
{
    private static readonly ResultsJsonContext Context = new(new JsonSerializerOptions(ResultsJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Writes the run as indented JSON.</summary>
    public static Task WriteAsync(RunResult run, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, stream => JsonSerializer.SerializeAsync(stream, run, Context.RunResult, cancellationToken), cancellationToken);

    /// <summary>Reads a run back.</summary>
    /// <exception cref="InvalidDataException">The file is not a results file; the message names it and the position.</exception>
    public static async Task<RunResult> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, Context.RunResult, cancellationToken)
                ?? throw new InvalidDataException($"{path}: the file is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}:{(ex.LineNumber ?? 0) + 1}: not a results file ({ex.Message})", ex);
        }
    }
}
