using System.Text.Json;
using System.Text.Json.Serialization;

namespace EvalHarness.Core.Results;

/// <summary>
/// A case's outcome in results.json: written by its name (<c>max_steps</c>); read by its name, or as 0.1.0 wrote it
/// (<c>MaxSteps</c>), so the history and baselines of an earlier version still compare.
/// </summary>
internal sealed class OutcomeJson : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? string.Empty;
        return Outcomes.IsValid(text) ? text
            : Outcomes.Names.FirstOrDefault(name => string.Equals(name.Replace("_", string.Empty, StringComparison.Ordinal), text, StringComparison.OrdinalIgnoreCase)) ?? text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
