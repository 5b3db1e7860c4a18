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
            return StreamFraming.Format(response, events);
        }

        if (response.BodyText is { } text)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        var body = response.Body ?? default;
        return body.ValueKind == JsonValueKind.String
            && !(response.Headers.TryGetValue("content-type", out var type) && type.Contains("json", StringComparison.OrdinalIgnoreCase))
            ? Encoding.UTF8.GetBytes(body.GetString()!)
            : body.ValueKind == JsonValueKind.Undefined ? [] : CompactJson.Bytes(body); // compact: the file is indented, the wire need not be
    }
}
