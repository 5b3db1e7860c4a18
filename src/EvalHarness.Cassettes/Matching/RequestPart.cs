using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.Cassettes.Matching;

/// <summary>
/// Says in words what a JSON path of a model request is (the system prompt, the user's message, the result of a tool
/// call, the tools' definitions), so a miss reads "the result of tool 'refund_order'" and not only
/// <c>$.messages[5].content</c>. Reads the Chat Completions shape (a <c>tool</c> message answering an assistant's
/// <c>tool_calls</c>) and the Messages shape (a <c>tool_result</c> block answering a <c>tool_use</c> block).
/// </summary>
internal static partial class RequestPart
{
    /// <summary>What <paramref name="path"/> is in <paramref name="body"/>; null when it is nothing more telling than its path.</summary>
    public static RequestPartKind? Describe(JsonElement body, string path)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (path.StartsWith("$.system", StringComparison.Ordinal))
        {
            return new("the system prompt", IsToolResult: false);
        }

        if (path.StartsWith("$.tools", StringComparison.Ordinal) || path.StartsWith("$.functions", StringComparison.Ordinal))
        {
            return new("the tools' definitions", IsToolResult: false);
        }

        if (MessagePath().Match(path) is not { Success: true } match
            || !body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array
            || int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var index && index >= messages.GetArrayLength())
        {
            return null;
        }

        var message = messages[index];
        var role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (role == "tool" && message.TryGetProperty("tool_call_id", out var callId) && callId.ValueKind == JsonValueKind.String)
        {
            return ToolResult(ToolName(messages, index, callId.GetString()!, OpenAIToolName));
        }

        if (role == "tool")
        {
            // Ollama's: no call id; the tool named by tool_name, else by its place after the assistant's calls (OllamaSharp's).
            return ToolResult(message.TryGetProperty("tool_name", out var tool) && tool.ValueKind == JsonValueKind.String ? tool.GetString() : ToolNameByPlace(messages, index));
        }

        if (match.Groups[2].Success && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
            && int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) is var block && block < content.GetArrayLength()
            && content[block] is { ValueKind: JsonValueKind.Object } part
            && part.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "tool_result"
            && part.TryGetProperty("tool_use_id", out var useId) && useId.ValueKind == JsonValueKind.String)
        {
            return ToolResult(ToolName(messages, index, useId.GetString()!, AnthropicToolName));
        }

        return role switch
        {
            "system" or "developer" => new("the system prompt", IsToolResult: false),
            "user" => new($"the user's message (message {index + 1})", IsToolResult: false),
            "assistant" => new($"the agent's earlier reply (message {index + 1})", IsToolResult: false),
            _ => null,
        };
    }

    private static RequestPartKind ToolResult(string? tool) =>
        new(tool is null ? "the result of a tool call" : $"the result of tool '{tool}'", IsToolResult: true);

    /// <summary>The n-th call's tool of the assistant message before <paramref name="index"/>, for the n-th tool message after it.</summary>
    private static string? ToolNameByPlace(JsonElement messages, int index)
    {
        var place = 0;
        for (var i = index - 1; i >= 0; i--)
        {
            var message = messages[i];
            if (message.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.ValueEquals("tool"))
            {
                place++;
                continue;
            }

            return message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && place < calls.GetArrayLength()
                && calls[place] is { ValueKind: JsonValueKind.Object } call && call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
                && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }

        return null;
    }

    /// <summary>The name of the tool an earlier assistant message called with <paramref name="id"/>.</summary>
    private static string? ToolName(JsonElement messages, int before, string id, Func<JsonElement, string, string?> find)
    {
        for (var i = before - 1; i >= 0; i--)
        {
            if (find(messages[i], id) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    private static string? OpenAIToolName(JsonElement message, string id) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array
            ? calls.EnumerateArray()
                .Where(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("id", out var callId) && callId.ValueKind == JsonValueKind.String && callId.GetString() == id)
                .Select(c => c.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object && f.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null)
                .FirstOrDefault()
            : null;

    private static string? AnthropicToolName(JsonElement message, string id) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
            ? content.EnumerateArray()
                .Where(b => b.ValueKind == JsonValueKind.Object && b.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "tool_use"
                    && b.TryGetProperty("id", out var useId) && useId.ValueKind == JsonValueKind.String && useId.GetString() == id)
                .Select(b => b.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null)
                .FirstOrDefault()
            : null;

    [GeneratedRegex(@"^\$\.messages\[(\d+)\](?:\.content\[(\d+)\])?")]
    private static partial Regex MessagePath();
}

/// <summary>What a part of a request is, in words.</summary>
/// <param name="Words">E.g. <c>the result of tool 'refund_order'</c>.</param>
/// <param name="IsToolResult">Whether it is what a tool answered, which changes when the tool or its world does, not the agent.</param>
internal sealed record RequestPartKind(string Words, bool IsToolResult);
