using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

internal sealed partial class UpstreamRecorder
{
    /// <summary>Proxies a stream (server-sent events or lines of JSON) to the client as it arrives, recording each event with its offset.</summary>
    private async Task RecordStreamAsync(
        HttpContext context, CassetteState state, int index, CassetteRoute route, JsonElement body, HttpResponseMessage response, Stopwatch clock, List<string> secrets)
    {
        var firstByteMs = clock.Elapsed.TotalMilliseconds;
        PassBackHeaders(context, response);
        context.Response.StatusCode = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType!.MediaType!;
        context.Response.ContentType = mediaType;
        if (response.Headers.TryGetValues(CassetteServer.SimulatedLatencyHeader, out var announced))
        {
            context.Response.Headers[CassetteServer.LatencyHeader] = announced.First();
        }
        await context.Response.StartAsync(context.RequestAborted);
        var events = new List<(double OffsetMs, string? Event, string Data)>();
        // The client gets the upstream's bytes as they arrive; the parser sees the same bytes and yields each event
        // when its blank line does, which is when it is timed.
        await using var upstream = new TeeStream(await response.Content.ReadAsStreamAsync(context.RequestAborted), context.Response.Body);
        await foreach (var item in StreamFraming.ReadAsync(mediaType, upstream, context.RequestAborted))
        {
            events.Add((clock.Elapsed.TotalMilliseconds, SseWire.NameOf(item), item.Data));
        }

        // A stream cut off mid-event: the events before the cut are what happened (a client drops the half event too).
        var truncated = upstream.Cut;
        var totalMs = clock.Elapsed.TotalMilliseconds;
        if (SimulatedLatency(response) is { } simulatedMs)
        {
            // The scripted upstream's simulated timing: first byte at 30%, the events spread evenly after it.
            firstByteMs = Math.Round(simulatedMs * 0.3, 1);
            totalMs = simulatedMs;
            events = [.. events.Select((e, i) => (firstByteMs + ((totalMs - firstByteMs) * (events.Count == 1 ? 1 : (double)i / (events.Count - 1))), e.Event, e.Data))];
        }

        var recorded = new RecordedResponse(
            (int)response.StatusCode,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["content-type"] = mediaType },
            null,
            [.. events.Select(e => new SseEvent(Math.Round(e.OffsetMs, 1), SecretScanner.Scrub(WireJson.Parse(Encoding.UTF8.GetBytes(e.Data)), options.Scrubbers), e.Event))],
            Fault: truncated ? "truncated" : null);
        if (writer.Append(state, context.Request, route, body, recorded, firstByteMs, totalMs, secrets) is { } refused)
        {
            // The client already has the stream; the cassette must still not be written, and the client is told so
            // by an error event, which the official SDKs raise as an API error (rather than a finished answer).
            state.Misses.Add(new CassetteMiss(state.Id, index, refused));
            await WriteErrorEventAsync(context, mediaType, route.Protocol, refused);
            return;
        }

        if (truncated)
        {
            context.Abort();
        }

        state.Served.Add(state.Recording[^1]);
    }

    /// <summary>
    /// An <c>error</c> event in the protocol's shape for the server's own errors (<c>{"type":"error","error":{…}}</c>, which
    /// the OpenAI and Anthropic SDKs raise as an API error; Ollama's <c>{"error":"…"}</c> line), framed as the stream is.
    /// </summary>
    private static async Task WriteErrorEventAsync(HttpContext context, string mediaType, Protocols.WireProtocol protocol, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            protocol.WriteHarnessError(writer, StatusCodes.Status500InternalServerError, "evalh_cassette_not_written", message);
        }

        var payload = Encoding.UTF8.GetString(buffer.ToArray());
        await StreamFraming.WriteAsync(mediaType, new[] { new SseItem<string>(payload, protocol.StreamErrorEvent) }.ToAsyncEnumerable(), context.Response.Body, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// Reads the upstream's stream and copies each chunk to the client as it is read. A connection the upstream drops
    /// reads as the end of the stream, and <see cref="Cut"/> says so.
    /// </summary>
    private sealed class TeeStream(Stream source, Stream client) : Stream
    {
        /// <summary>True when the upstream cut the stream off rather than ending it.</summary>
        public bool Cut { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read;
            try
            {
                read = await source.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                Cut = true;
                return 0;
            }

            if (read > 0)
            {
                await client.WriteAsync(buffer[..read], cancellationToken);
                await client.FlushAsync(cancellationToken);
            }

            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The upstream's stream is read asynchronously.");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                source.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
