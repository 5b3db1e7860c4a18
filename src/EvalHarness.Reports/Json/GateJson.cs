using System.Text.Json;
using EvalHarness.Core.Gate;

namespace EvalHarness.Reports.Json;

/// <summary><c>gate.json</c> in a run folder: the gate's verdict, kept so a rebuilt report shows it again.</summary>
public static class GateJson
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "gate.json";

    /// <summary>Writes the verdict as indented JSON.</summary>
    public static Task WriteAsync(GateResult gate, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, stream => JsonSerializer.SerializeAsync(stream, gate, GateResult.JsonTypeInfo, cancellationToken), cancellationToken);

    /// <summary>Reads the verdict in <paramref name="runDirectory"/>, or null when the run was not gated.</summary>
    /// <exception cref="InvalidDataException">The file is not a gate verdict.</exception>
    public static async Task<GateResult?> ReadAsync(string runDirectory, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, GateResult.JsonTypeInfo, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}:{(ex.LineNumber ?? 0) + 1}: not a gate verdict ({ex.Message}). Delete it and run `evalh gate` again.", ex);
        }
    }
}
