using System.Text.Json;

namespace EvalHarness.Cassettes.Matching;

/// <summary>An equality filter of an ignored path: the items of the array at <paramref name="Prefix"/> whose <paramref name="Key"/> is <paramref name="Value"/>.</summary>
internal sealed record IgnoreFilter(string Prefix, string Key, string Value)
{
    /// <summary>The filter as it stands in a normalized path.</summary>
    public string Segment { get; } = $"[?(@.{Key}=='{Value}')]";

    /// <summary>Whether an item is one the filter selects.</summary>
    public bool Selects(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(Key, out var value) && value.ValueKind == JsonValueKind.String && value.ValueEquals(Value);
}
