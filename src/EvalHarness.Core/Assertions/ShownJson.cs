using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EvalHarness.Core.Assertions;

/// <summary>
/// JSON as people read it in a reason: <c>"2+3"</c>, not <c>"2\u002B3"</c>. A suite's values come from YAML through
/// the serializer's default encoder, which escapes <c>+ &lt; ' &amp;</c> and non-ASCII text, and recorded arguments may
/// be escaped the same way. Reasons are plain text: the HTML report encodes them where it shows them.
/// </summary>
internal static class ShownJson
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The value, compact, with only the escapes JSON itself needs.</summary>
    public static string Of(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A tool call's arguments shown the same way; arguments that are not JSON are shown as they came.</summary>
    public static string OfText(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Of(document.RootElement);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
