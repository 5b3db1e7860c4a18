using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>
/// A JSON value on one line, written straight from its element: what <c>JsonSerializer.SerializeToUtf8Bytes</c> writes
/// for a <see cref="JsonElement"/>, without setting up the serializer's reflection for it on every run's first request.
/// </summary>
internal static class CompactJson
{
    private static readonly JsonWriterOptions Strict = default;

    /// <summary>How the SDKs escape JSON: quotes as <c>\"</c>, apostrophes and non-ASCII text as they are.</summary>
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The value's UTF-8 bytes; <paramref name="relaxed"/> escapes as the SDKs do, else as the serializer's default does.</summary>
    public static byte[] Bytes(JsonElement value, bool relaxed = false)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, relaxed ? Relaxed : Strict))
        {
            value.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The value as text, escaped as the serializer's default does.</summary>
    public static string Text(JsonElement value) => Encoding.UTF8.GetString(Bytes(value));
}
