using System.Text;

namespace EvalHarness.Tests.Support;

/// <summary>
/// Reads what an OTLP/HTTP exporter posts (protobuf), as a collector would, into the spans and log records a test
/// asserts on: only the fields the tests need, read from the wire format by field number (opentelemetry-proto's
/// trace/v1 and logs/v1), so no generated code is needed.
/// </summary>
internal static class OtlpWire
{
    /// <summary>A span: its ids (hex), its name and its attributes.</summary>
    internal sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, object> Attributes);

    /// <summary>A log record: its event name, the context it carries (hex) and its attributes.</summary>
    internal sealed record LogRecord(string EventName, string TraceId, string SpanId, IReadOnlyDictionary<string, object> Attributes);

    /// <summary>The spans of an ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2).</summary>
    public static IEnumerable<Span> Spans(byte[] request) =>
        from resource in Fields(request, 1)
        from scope in Fields(resource, 2)
        from span in Fields(scope, 2)
        select new Span(Hex(span, 1), Hex(span, 2), Hex(span, 4), Text(span, 5), Attributes(span, 9));

    /// <summary>The log records of an ExportLogsServiceRequest: resource_logs (1) → scope_logs (2) → log_records (2).</summary>
    public static IEnumerable<LogRecord> Logs(byte[] request) =>
        from resource in Fields(request, 1)
        from scope in Fields(resource, 2)
        from record in Fields(scope, 2)
        select new LogRecord(Text(record, 12), Hex(record, 9), Hex(record, 10), Attributes(record, 6));

    /// <summary>KeyValue messages (key 1, AnyValue 2: string 1, bool 2, int 3, double 4) as a dictionary.</summary>
    private static Dictionary<string, object> Attributes(byte[] message, int field) =>
        Fields(message, field).ToDictionary(kv => Text(kv, 1), kv => Value(Fields(kv, 2).Single()), StringComparer.Ordinal);

    private static object Value(byte[] any)
    {
        foreach (var (number, wire, bytes, varint) in Read(any))
        {
            return number switch
            {
                1 => Encoding.UTF8.GetString(bytes),
                2 => varint != 0,
                3 => (long)varint,
                4 when wire == 1 => BitConverter.ToDouble(bytes),
                _ => $"(field {number})",
            };
        }

        return string.Empty;
    }

    private static string Text(byte[] message, int field) => Fields(message, field).Select(b => Encoding.UTF8.GetString(b)).FirstOrDefault() ?? string.Empty;

    private static string Hex(byte[] message, int field) => Convert.ToHexStringLower(Fields(message, field).FirstOrDefault() ?? []);

    private static IEnumerable<byte[]> Fields(byte[] message, int field) => Read(message).Where(f => f.Number == field).Select(f => f.Bytes);

    /// <summary>The fields of a message in order: varints (wire 0), fixed 64 (1), length-delimited (2) and fixed 32 (5).</summary>
    private static List<(int Number, int Wire, byte[] Bytes, ulong Varint)> Read(byte[] message)
    {
        var fields = new List<(int, int, byte[], ulong)>();
        var at = 0;
        ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = message[at++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        while (at < message.Length)
        {
            var key = Varint();
            var (number, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    fields.Add((number, wire, [], Varint()));
                    break;
                case 1:
                    fields.Add((number, wire, message[at..(at + 8)], 0));
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint();
                    fields.Add((number, wire, message[at..(at + length)], 0));
                    at += length;
                    break;
                case 5:
                    fields.Add((number, wire, message[at..(at + 4)], 0));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Protobuf wire type {wire} at byte {at} is not one OTLP uses.");
            }
        }

        return fields;
    }
}
