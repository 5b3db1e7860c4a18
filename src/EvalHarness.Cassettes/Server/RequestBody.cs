using System.Text.Json;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>A request's body as it came, and as scrubbed JSON, parsed only when needed.</summary>
internal sealed class RequestBody(byte[] raw, IReadOnlyList<Scrubber> scrubbers)
{
    private JsonElement? _json;

    public byte[] Raw { get; } = raw;

    public JsonElement Json => _json ??= SecretScanner.Scrub(WireJson.Parse(Raw), scrubbers);

    /// <summary>Reads the whole body of <paramref name="request"/>.</summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, IReadOnlyList<Scrubber> scrubbers, CancellationToken cancellationToken = default)
    {
        using var buffer = request.ContentLength is { } length and <= int.MaxValue ? new MemoryStream((int)length) : new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return new RequestBody(buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray(), scrubbers);
    }
}
