using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;

namespace EvalHarness.Cassettes.Format;

/// <summary>
/// How a streamed answer's events are framed on the wire: server-sent events (<c>text/event-stream</c>: OpenAI,
/// Anthropic, Gemini) or one JSON object a line (<c>application/x-ndjson</c>: Ollama). A cassette keeps the events the
/// same way for both, with the answer's content type; the framing is worked out from that type.
/// </summary>
internal static class StreamFraming
{
    /// <summary>Server-sent events.</summary>
    public const string EventStream = "text/event-stream";

    /// <summary>Newline-delimited JSON.</summary>
    public const string Ndjson = "application/x-ndjson";

    /// <summary>Whether an answer of <paramref name="mediaType"/> is a stream (its events recorded one by one).</summary>
    public static bool IsStream(string? mediaType) => mediaType is EventStream or Ndjson;

    /// <summary>The media type of a recorded stream: its <c>content-type</c>, server-sent events when it has none.</summary>
    public static string MediaTypeOf(RecordedResponse response) =>
        response.Headers.TryGetValue("content-type", out var type) && type.StartsWith(Ndjson, StringComparison.OrdinalIgnoreCase) ? Ndjson : EventStream;

    /// <summary>Writes <paramref name="items"/> to <paramref name="destination"/> as they come (one write each).</summary>
    public static Task WriteAsync(string mediaType, IAsyncEnumerable<SseItem<string>> items, Stream destination, CancellationToken cancellationToken) =>
        mediaType == Ndjson ? WriteLinesAsync(items, destination, cancellationToken) : SseWire.WriteAsync(items, destination, cancellationToken);

    /// <summary>The events of <paramref name="source"/> as they arrive (an event cut off before its end is not one).</summary>
    public static IAsyncEnumerable<SseItem<string>> ReadAsync(string mediaType, Stream source, CancellationToken cancellationToken) =>
        mediaType == Ndjson ? ReadLinesAsync(source, cancellationToken) : SseWire.ReadAsync(source, cancellationToken);

    /// <summary>The bytes of a whole recorded stream, as an instant replay sends them.</summary>
    public static byte[] Format(RecordedResponse response, IEnumerable<SseEvent> events)
    {
        if (MediaTypeOf(response) != Ndjson)
        {
            return SseWire.Format(events);
        }

        var text = new StringBuilder();
        foreach (var e in events)
        {
            text.Append(SseWire.DataOf(e)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task WriteLinesAsync(IAsyncEnumerable<SseItem<string>> items, Stream destination, CancellationToken cancellationToken)
    {
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            await destination.WriteAsync(Encoding.UTF8.GetBytes(item.Data + "\n"), cancellationToken);
            await destination.FlushAsync(cancellationToken);
        }
    }

    /// <summary>Each complete line that is not blank; a last line with no newline was cut off and is not an event.</summary>
    private static async IAsyncEnumerable<SseItem<string>> ReadLinesAsync(Stream source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<byte>();
        var buffer = new byte[8192];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                pending.AddRange(buffer.AsSpan(start, i - start));
                start = i + 1;
                var line = Encoding.UTF8.GetString([.. pending]).TrimEnd('\r');
                pending.Clear();
                if (line.Length > 0)
                {
                    yield return new SseItem<string>(line);
                }
            }

            pending.AddRange(buffer.AsSpan(start, read - start));
        }
    }
}
