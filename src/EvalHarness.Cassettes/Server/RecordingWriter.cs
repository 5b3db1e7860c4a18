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
        try
        {
            var cassette = new Cassette { Id = state.Id, Provider = route.Protocol.Name, RecordedFrom = options.RecordedFrom, Interactions = [.. state.Recording] };
            store.Save(cassette with { Metadata = Metadata(state, request, cassette, secrets) }, secrets);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            state.Recording.RemoveAt(state.Recording.Count - 1);
            return ex.Message;
        }
    }

    /// <summary>The cassette's metadata; the recording time stays the old one while the recording repeats the old cassette exactly.</summary>
    private CassetteMetadata Metadata(CassetteState state, HttpRequest request, Cassette cassette, IReadOnlyList<string> secrets)
    {
        var first = cassette.Interactions[0].Request.Body;
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
