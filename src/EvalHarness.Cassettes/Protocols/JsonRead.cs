using System.Text.Json;

namespace EvalHarness.Cassettes.Protocols;

/// <summary>Forgiving reads of a wire body: a value that is missing or of another kind reads as none.</summary>
internal static class JsonRead
{
    /// <summary>The items of the array <paramref name="name"/>, or none.</summary>
    public static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray()
            : [];

    /// <summary>The string <paramref name="name"/>, or null.</summary>
    public static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The whole number <paramref name="name"/>, or 0.</summary>
    public static long Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt64(out var n) ? n : 0;

    /// <summary>The value <paramref name="name"/>, or an undefined element.</summary>
    public static JsonElement Get(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>
    /// The text of a content value: a string, or the text of its blocks, each read by <paramref name="block"/> (a
    /// protocol's own blocks: tool uses and results written out) and else as a <c>text</c> block or a string.
    /// </summary>
    public static string Text(JsonElement content, Func<JsonElement, string?>? block = null) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Join(Environment.NewLine, content.EnumerateArray()
            .Select(b => block?.Invoke(b) ?? (Str(b, "type") == "text" ? Str(b, "text") : null) ?? (b.ValueKind == JsonValueKind.String ? b.GetString()! : string.Empty))
            .Where(s => s.Length > 0)),
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        _ => content.GetRawText(),
    };

    /// <summary>A built body (an assembled stream) as an element that outlives its document.</summary>
    public static JsonElement Element(System.Text.Json.Nodes.JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>Streamed tool arguments as JSON; kept as text if the stream was cut off mid-way.</summary>
    public static System.Text.Json.Nodes.JsonNode? ParseOrText(string arguments)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(arguments.Length == 0 ? "{}" : arguments);
        }
        catch (JsonException)
        {
            return System.Text.Json.Nodes.JsonValue.Create(arguments);
        }
    }
}
