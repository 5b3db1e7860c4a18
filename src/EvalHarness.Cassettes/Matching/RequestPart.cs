using System.Text.Json;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Protocols;

namespace EvalHarness.Cassettes.Matching;

/// <summary>
/// Says in words what a JSON path of a model request is (the system prompt, the user's message, the result of a tool
/// call, the tools' definitions), so a miss reads "the result of tool 'refund_order'" and not only
/// <c>$.messages[5].content</c>. The protocol says where its conversation is, which message or block is a tool's result
/// and which earlier call named the tool (<see cref="WireProtocol.ToolResultCallId"/>, <see cref="WireProtocol.ToolNameOf"/>).
/// </summary>
internal static partial class RequestPart
{
    /// <summary>What <paramref name="path"/> is in <paramref name="body"/>, a request of <paramref name="protocol"/>; null when it is nothing more telling than its path.</summary>
    public static RequestPartKind? Describe(JsonElement body, string path, WireProtocol protocol)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (protocol.SystemPaths.Any(p => path.StartsWith(p, StringComparison.Ordinal)))
        {
            return new("the system prompt", IsToolResult: false);
        }

        if (path.StartsWith("$.tools", StringComparison.Ordinal) || path.StartsWith("$.functions", StringComparison.Ordinal))
        {
            return new("the tools' definitions", IsToolResult: false);
        }

        if (MessagePath().Match(path) is not { Success: true } match || match.Groups[1].Value != protocol.ConversationProperty
            || !body.TryGetProperty(protocol.ConversationProperty, out var messages) || messages.ValueKind != JsonValueKind.Array
            || int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) is var index && index >= messages.GetArrayLength())
        {
            return null;
        }

        var message = messages[index];
        JsonElement? block = match.Groups[3].Success && message.TryGetProperty(match.Groups[3].Value, out var blocks) && blocks.ValueKind == JsonValueKind.Array
            && int.Parse(match.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture) is var at && at < blocks.GetArrayLength()
                ? blocks[at]
                : null;
        if (protocol.ToolResultCallId(messages, index, block) is { } callId)
        {
            return ToolResult(ToolName(protocol, messages, index, callId));
        }

        return (message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null) switch
        {
            "system" or "developer" => new("the system prompt", IsToolResult: false),
            "user" => new($"the user's message (message {index + 1})", IsToolResult: false),
            "assistant" or "model" => new($"the agent's earlier reply (message {index + 1})", IsToolResult: false),
            _ => null,
        };
    }

    private static RequestPartKind ToolResult(string? tool) =>
        new(tool is null ? "the result of a tool call" : $"the result of tool '{tool}'", IsToolResult: true);

    /// <summary>The name of the tool an earlier message called with <paramref name="id"/>.</summary>
    private static string? ToolName(WireProtocol protocol, JsonElement messages, int before, string id)
    {
        for (var i = before - 1; i >= 0; i--)
        {
            if (messages[i].ValueKind == JsonValueKind.Object && protocol.ToolNameOf(messages[i], id) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\$\.(\w+)\[(\d+)\](?:\.(\w+)\[(\d+)\])?")]
    private static partial Regex MessagePath();
}

/// <summary>What a part of a request is, in words.</summary>
/// <param name="Words">E.g. <c>the result of tool 'refund_order'</c>.</param>
/// <param name="IsToolResult">Whether it is what a tool answered, which changes when the tool or its world does, not the agent.</param>
internal sealed record RequestPartKind(string Words, bool IsToolResult);
