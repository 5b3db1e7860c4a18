using System.Text;
using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>A recorded answer as it goes on the wire: the bytes the cassette server replays, and an export serves.</summary>
internal static class WireBytes
{
    /// <summary>The response body as sent: a stream's events as SSE text, a text body as it came, a JSON body compact.</summary>
    public static byte[] Response(RecordedResponse response)
    {
        if (response.Events is { } events)
        {
            var stream = new StringBuilder();
            foreach (var e in events)
            {
                if (e.Event is not null)
                {
                    stream.Append("event: ").Append(e.Event).Append('\n');
                }

                // One line per event: the stored data is indented, an SSE data line must not be.
                stream.Append("data: ").Append(e.Data.ValueKind == JsonValueKind.String ? e.Data.GetString() : JsonSerializer.Serialize(e.Data)).Append("\n\n");
            }

            return Encoding.UTF8.GetBytes(stream.ToString());
        }

        if (response.BodyText is { } text)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        var body = response.Body ?? default;
        return body.ValueKind == JsonValueKind.String
            && !(response.Headers.TryGetValue("content-type", out var type) && type.Contains("json", StringComparison.OrdinalIgnoreCase))
            ? Encoding.UTF8.GetBytes(body.GetString()!)
            : body.ValueKind == JsonValueKind.Undefined ? [] : JsonSerializer.SerializeToUtf8Bytes(body); // compact: the file is indented, the wire need not be
    }
}
