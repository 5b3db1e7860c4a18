using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>Adds recorded interactions to a cassette and writes its file.</summary>
internal sealed class RecordingWriter(CassetteServerOptions options, CassetteStore store)
{
    private static readonly string HarnessVersion =
        typeof(CassetteServer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Adds an interaction to the recording and writes the cassette; returns why the write was refused, or null.</summary>
    public string? Append(
        CassetteState state, HttpRequest request, CassetteRoute route, JsonElement body, RecordedResponse recorded, double firstByteMs, double totalMs, List<string> secrets)
    {
        // The headers a cassette keeps: the content type and the protocol's versions and betas. Everything else (auth
        // above all) is never written.
        var kept = route.Protocol.RecordedRequestHeaders;
        var requestHeaders = request.Headers
            .Where(h => h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase) || kept.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        state.Recording.Add(new Interaction(
            new RecordedRequest(request.Method, route.ProviderPath, requestHeaders, body),
            recorded,
            new InteractionTimings(Math.Round(firstByteMs, 1), Math.Round(totalMs, 1))));
        state.Provider = route.Protocol.Name;
        if (Save(state, request, secrets) is { } refused)
        {
            state.Recording.RemoveAt(state.Recording.Count - 1);
            return refused;
        }

        return null;
    }

    /// <summary>Adds a tool exchange to the recording and writes the cassette; returns why the write was refused, or null.</summary>
    public string? AppendTool(CassetteState state, HttpRequest request, ToolExchange exchange, List<string> secrets)
    {
        state.ToolRecording.Add(exchange);
        if (Save(state, request, secrets) is { } refused)
        {
            state.ToolRecording.RemoveAt(state.ToolRecording.Count - 1);
            return refused;
        }

        return null;
    }

    /// <summary>Writes the cassette: the model's interactions (recorded, or as they were while only tools record) and the tool exchanges.</summary>
    private string? Save(CassetteState state, HttpRequest request, List<string> secrets)
    {
        try
        {
            var cassette = new Cassette
            {
                Id = state.Id,
                Provider = state.Provider ?? state.Cassette?.Provider ?? ToolsOnlyProvider,
                RecordedFrom = options.RecordedFrom,
                Interactions = state.IsRecording ? [.. state.Recording] : state.Cassette?.Interactions ?? [],
                Tools = state.ToolRecording.Count > 0 ? [.. state.ToolRecording] : null,
            };
            store.Save(cassette with { Metadata = Metadata(state, request, cassette, secrets) }, secrets);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The provider a cassette names before the agent's first model call, when a tool was called first (or alone).</summary>
    public const string ToolsOnlyProvider = "tools";

    /// <summary>The cassette's metadata; the recording time stays the old one while the recording repeats the old cassette exactly.</summary>
    private CassetteMetadata Metadata(CassetteState state, HttpRequest request, Cassette cassette, IReadOnlyList<string> secrets)
    {
        var first = cassette.Interactions.Count > 0 ? cassette.Interactions[0].Request.Body : default;
        var model = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var recordedAt = options.Time.GetUtcNow();
        if (state.Previous is { Metadata: { } previous } old && old.Interactions.Count >= cassette.Interactions.Count
            && JsonSerializer.Serialize(old.Interactions.Take(cassette.Interactions.Count).ToList(), CassetteJsonContext.Default.ListInteraction)
               == JsonSerializer.Serialize(cassette.Interactions.ToList(), CassetteJsonContext.Default.ListInteraction))
        {
            recordedAt = previous.RecordedAt;
        }

        var seconds = new DateTimeOffset(recordedAt.UtcTicks - (recordedAt.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        // A client may put a key in its User-Agent (an SDK's app info): the metadata keeps the header, never the key.
        var userAgent = request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? SecretScanner.ScrubText(ua, secrets) : null;
        return new CassetteMetadata(seconds, HarnessVersion, model, userAgent);
    }
}
