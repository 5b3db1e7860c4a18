using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>
/// Reads a cassette file's JSON into a <see cref="Cassette"/> by hand, from one copy of the document that its bodies
/// point into: no copy of each body, and none of the serializer's generated metadata, whose set-up was
/// the largest one-off cost of a replay's first request (docs/performance.md). Writing stays with the serializer.
/// </summary>
/// <remarks>
/// Reads what <see cref="CassetteJsonContext"/> writes: camelCase names, absent optional members, unknown members
/// ignored. A member that is missing or of the wrong kind is a <see cref="JsonException"/> that says where.
/// </remarks>
internal static class CassetteReader
{
    private const string Top = "the cassette";

    /// <summary>Reads a cassette from UTF-8 JSON.</summary>
    /// <exception cref="JsonException">Not JSON, or not a cassette; the message names the member.</exception>
    public static Cassette Read(ReadOnlyMemory<byte> utf8)
    {
        // One copy of the whole file that the bodies below are elements of (a clone owns exact-size buffers, not pooled
        // ones), instead of a copy of each body: the parsed document goes back to the pool at once.
        using var document = JsonDocument.Parse(utf8);
        var root = Object(document.RootElement.Clone(), Top);
        var interactions = new List<Interaction>();
        var index = 0;
        foreach (var element in Member(root, "interactions", Top, JsonValueKind.Array).EnumerateArray())
        {
            interactions.Add(Interaction(Object(element, $"interactions[{index}]"), $"interactions[{index}]"));
            index++;
        }

        List<ToolExchange>? tools = null;
        if (Optional(root, "tools") is { } recordedTools)
        {
            tools = [];
            index = 0;
            foreach (var element in (recordedTools.ValueKind == JsonValueKind.Array ? recordedTools : throw new JsonException("tools is not an array.")).EnumerateArray())
            {
                var where = $"tools[{index++}]";
                var exchange = Object(element, where);
                var (request, response, timings) = Exchange(exchange, where);
                tools.Add(new ToolExchange(Text(exchange, "server", where), Text(exchange, "kind", where), request, response, timings));
            }
        }

        return new Cassette
        {
            FormatVersion = Member(root, "formatVersion", Top, JsonValueKind.Number).GetInt32(),
            Id = Text(root, "id", Top),
            Provider = Text(root, "provider", Top),
            RecordedFrom = Text(root, "recordedFrom", Top),
            Metadata = Optional(root, "metadata") is { } metadata ? Metadata(Object(metadata, "metadata")) : null,
            Interactions = interactions,
            Tools = tools,
        };
    }

    private static CassetteMetadata Metadata(JsonElement metadata)
    {
        var recordedAt = Member(metadata, "recordedAt", "metadata", JsonValueKind.String);
        return new CassetteMetadata(
            recordedAt.TryGetDateTimeOffset(out var at) ? at : throw new JsonException($"metadata.recordedAt is not a date and time: {recordedAt.GetRawText()}."),
            Text(metadata, "harnessVersion", "metadata"),
            OptionalText(metadata, "model", "metadata"),
            OptionalText(metadata, "userAgent", "metadata"));
    }

    private static Interaction Interaction(JsonElement interaction, string where)
    {
        var (request, response, timings) = Exchange(interaction, where);
        return new Interaction(request, response, timings);
    }

    /// <summary>The request, response and timings an interaction and a tool exchange both hold.</summary>
    private static (RecordedRequest Request, RecordedResponse Response, InteractionTimings Timings) Exchange(JsonElement interaction, string where)
    {
        var request = Object(Member(interaction, "request", where), $"{where}.request");
        var response = Object(Member(interaction, "response", where), $"{where}.response");
        var timings = Object(Member(interaction, "timings", where), $"{where}.timings");
        return (
            new RecordedRequest(
                Text(request, "method", $"{where}.request"),
                Text(request, "path", $"{where}.request"),
                Headers(request, $"{where}.request"),
                Member(request, "body", $"{where}.request")),
            new RecordedResponse(
                Member(response, "status", $"{where}.response", JsonValueKind.Number).GetInt32(),
                Headers(response, $"{where}.response"),
                Optional(response, "body"),
                Optional(response, "events") is { } events ? Events(events, $"{where}.response.events") : null,
                OptionalText(response, "bodyText", $"{where}.response"),
                OptionalText(response, "fault", $"{where}.response")),
            new InteractionTimings(
                Member(timings, "firstByteMs", $"{where}.timings", JsonValueKind.Number).GetDouble(),
                Member(timings, "totalMs", $"{where}.timings", JsonValueKind.Number).GetDouble()));
    }

    private static List<SseEvent> Events(JsonElement events, string where)
    {
        if (events.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"{where} is not an array.");
        }

        var list = new List<SseEvent>(events.GetArrayLength());
        var index = 0;
        foreach (var element in events.EnumerateArray())
        {
            var at = $"{where}[{index++}]";
            var e = Object(element, at);
            list.Add(new SseEvent(Member(e, "offsetMs", at, JsonValueKind.Number).GetDouble(), Member(e, "data", at), OptionalText(e, "event", at)));
        }

        return list;
    }

    private static Dictionary<string, string> Headers(JsonElement owner, string where)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in Object(Member(owner, "headers", where), $"{where}.headers").EnumerateObject())
        {
            headers[header.Name] = header.Value.ValueKind == JsonValueKind.String
                ? header.Value.GetString()!
                : throw new JsonException($"{where}.headers.{header.Name} is not a string.");
        }

        return headers;
    }

    private static JsonElement Object(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new JsonException($"{where} is not an object.");

    /// <summary>A member that must be there (and, when <paramref name="kind"/> is given, of that kind).</summary>
    private static JsonElement Member(JsonElement owner, string name, string where, JsonValueKind kind = JsonValueKind.Undefined)
    {
        if (!owner.TryGetProperty(name, out var value))
        {
            throw new JsonException($"{where} has no '{name}'.");
        }

        return kind == JsonValueKind.Undefined || value.ValueKind == kind
            ? value
            : throw new JsonException($"{Name(where, name)} is {value.ValueKind.ToString().ToLowerInvariant()}, not {kind.ToString().ToLowerInvariant()}.");
    }

    private static string Text(JsonElement owner, string name, string where) => Member(owner, name, where, JsonValueKind.String).GetString()!;

    /// <summary>A member that may be absent or null.</summary>
    private static JsonElement? Optional(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? OptionalText(JsonElement owner, string name, string where) => Optional(owner, name) is { } value
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new JsonException($"{Name(where, name)} is not a string.")
        : null;

    /// <summary>A member's name as the messages give it: <c>interactions[0].response.status</c>, <c>id</c> at the top.</summary>
    private static string Name(string where, string name) => where == Top ? name : $"{where}.{name}";
}
