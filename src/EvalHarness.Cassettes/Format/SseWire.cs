using System.Net.ServerSentEvents;
using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>
/// Server-sent events on the wire, for everything that reads or writes them (the recorder, the replayer, the scripted
/// upstream): <see cref="SseParser"/> and <see cref="SseFormatter"/> from the framework, and the one mapping between
/// their items and a cassette's <see cref="SseEvent"/>s.
/// </summary>
internal static class SseWire
{
    /// <summary>The event type SSE gives an event that names none; a cassette stores it as no name.</summary>
    private const string DefaultEventType = "message";

    /// <summary>The text an event's <c>data:</c> line carries: a JSON string's value, else the JSON on one line.</summary>
    public static string DataOf(SseEvent e) => e.Data.ValueKind == JsonValueKind.String ? e.Data.GetString()! : CompactJson.Text(e.Data);

    /// <summary>The wire item of a recorded event.</summary>
    public static SseItem<string> Item(SseEvent e) => new(DataOf(e), e.Event);

    /// <summary>An event's name as a cassette keeps it: null for SSE's default.</summary>
    public static string? NameOf(SseItem<string> item) => item.EventType == DefaultEventType ? null : item.EventType;

    /// <summary>Writes <paramref name="items"/> to <paramref name="destination"/> as they come (one write each).</summary>
    public static Task WriteAsync(IAsyncEnumerable<SseItem<string>> items, Stream destination, CancellationToken cancellationToken) =>
        SseFormatter.WriteAsync(items, destination, cancellationToken);

    /// <summary>Writes <paramref name="items"/> to <paramref name="destination"/>.</summary>
    public static Task WriteAsync(IEnumerable<SseItem<string>> items, Stream destination, CancellationToken cancellationToken) =>
        SseFormatter.WriteAsync(items.ToAsyncEnumerable(), destination, cancellationToken);

    /// <summary>The bytes of a whole recorded stream, as an instant replay sends them.</summary>
    public static byte[] Format(IEnumerable<SseEvent> events)
    {
        using var buffer = new MemoryStream();
        // A MemoryStream completes every write at once: this wait never blocks.
        WriteAsync(events.Select(Item), buffer, CancellationToken.None).GetAwaiter().GetResult();
        return buffer.ToArray();
    }

    /// <summary>The events of <paramref name="source"/> as they arrive (an event cut off before its blank line is not one).</summary>
    public static IAsyncEnumerable<SseItem<string>> ReadAsync(Stream source, CancellationToken cancellationToken) =>
        SseParser.Create(source).EnumerateAsync(cancellationToken);
}
