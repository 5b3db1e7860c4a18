using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>JSON as the runtime shows it to the model: compact, and readable text left unescaped.</summary>
public static class AgentJson
{
    /// <summary>The serializer options: AI defaults, compact, relaxed escaping.</summary>
    public static readonly JsonSerializerOptions Options = new(AIJsonUtilities.DefaultOptions)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Turns a tool's return value into the text the model sees.</summary>
    public static string Stringify(object? value) => value switch
    {
        null => "null",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        JsonElement e => JsonSerializer.Serialize(e, Options),
        _ => JsonSerializer.Serialize(value, value.GetType(), Options),
    };
}
