using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>JSON settings for what the runtime shows the model: compact, and not escaping readable text.</summary>
internal static class AgentJson
{
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
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(value, value.GetType(), Options),
    };
}
