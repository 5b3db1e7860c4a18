using System.Buffers;
using System.Text.Json;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>A request's body as it came, and as scrubbed JSON, parsed only when needed.</summary>
internal sealed class RequestBody(byte[] raw, IReadOnlyList<Scrubber> scrubbers, Func<JsonElement, JsonElement>? normalize = null)
{
    /// <summary>What a read reserves before any data came: a declared length is only a claim.</summary>
    private const int FirstChunk = 16 * 1024;

    private JsonElement? _json;

    public byte[] Raw { get; } = raw;

    /// <summary>The body scrubbed, as its protocol matches and records it (<see cref="Protocols.WireProtocol.Normalize"/>).</summary>
    public JsonElement Json => _json ??= Normalized(SecretScanner.Scrub(WireJson.Parse(Raw), scrubbers));

    /// <summary>The same body, read as <paramref name="protocol"/> matches and records it; the raw bytes still go upstream as sent.</summary>
    public RequestBody As(Protocols.WireProtocol protocol) => new(Raw, scrubbers, protocol.Normalize);

    private JsonElement Normalized(JsonElement json) => normalize is null ? json : normalize(json);

    /// <summary>Reads the whole body of <paramref name="request"/>; the buffer grows with what arrives, never with what the client declares.</summary>
    /// <exception cref="BadHttpRequestException">The body is larger than the request's limit (413), or Kestrel timed it out (408).</exception>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, IReadOnlyList<Scrubber> scrubbers, CancellationToken cancellationToken = default)
    {
        var declared = request.ContentLength is { } length and >= 0 ? length : -1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(declared, 1, FirstChunk));
        var read = 0;
        try
        {
            while (true)
            {
                if (read == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, Array.MaxLength));
                    buffer.AsSpan(0, read).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    return new RequestBody(buffer.AsSpan(0, read).ToArray(), scrubbers);
                }

                read += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
