using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// What a case's recorded tool traffic says: the calls the agent made to its MCP servers (<c>tools/call</c>,
/// <c>resources/read</c>, <c>prompts/get</c>) and HTTP APIs, with what they answered. Read from the servers' side, it is
/// more exact than the model's requests: it holds what the tool was really asked and really answered.
/// </summary>
internal static class ToolTraffic
{
    /// <summary>JSON as a report shows it: compact, non-ASCII as it is.</summary>
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Text(JsonElement json) => JsonSerializer.Serialize(json, Compact);

    /// <summary>The MCP methods that are calls of a tool server (the handshake and listings are not).</summary>
    private static readonly HashSet<string> McpCalls = new(StringComparer.Ordinal) { "tools/call", "resources/read", "prompts/get" };

    /// <summary>Whether an exchange is an MCP notification, which has no answer and takes no time of the agent's.</summary>
    public static bool IsNotification(ToolExchange exchange) => exchange.Kind == ToolKinds.Mcp && exchange.Response.Status == 202;

    /// <summary>Whether an exchange is a call of the server rather than its handshake, a listing or a notification.</summary>
    public static bool IsCall(ToolExchange exchange) => exchange.Kind != ToolKinds.Mcp || McpCalls.Contains(exchange.Request.Method);

    /// <summary>
    /// A call's name: <c>inventory.check_stock</c> for an MCP tool (<c>inventory.resources/read</c> … for the others),
    /// <c>prices GET /price</c> for an HTTP API (the path without its query).
    /// </summary>
    public static string Name(ToolExchange exchange) => exchange.Kind == ToolKinds.Mcp
        ? $"{exchange.Server}.{(exchange.Request.Method == "tools/call" && Params(exchange) is { } p && p.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : exchange.Request.Method)}"
        : $"{exchange.Server} {exchange.Request.Method} {exchange.Request.Path.Split('?', 2)[0]}";

    /// <summary>The calls among <paramref name="served"/>, in order, each with its arguments and what came back.</summary>
    public static IReadOnlyList<ToolCallResult> Calls(IReadOnlyList<ServedToolExchange> served) =>
        [.. served.Where(s => IsCall(s.Exchange)).Select(s => Call(s.Exchange, s.AfterModelCalls))];

    private static ToolCallResult Call(ToolExchange exchange, int step)
    {
        var (result, isError) = exchange.Kind == ToolKinds.Mcp ? McpResult(exchange.Response) : HttpResult(exchange.Response);
        return new ToolCallResult(step, Name(exchange), Arguments(exchange), result, isError, isError ? "error" : "ok", $"{exchange.Kind}:{exchange.Server}");
    }

    /// <summary>An MCP call's arguments (<c>params.arguments</c>, or its params); an HTTP call's query parameters and body.</summary>
    private static string Arguments(ToolExchange exchange)
    {
        if (exchange.Kind == ToolKinds.Mcp)
        {
            return Params(exchange) is { } p ? Text(p.TryGetProperty("arguments", out var args) ? args : p) : "{}";
        }

        return HttpArguments(exchange.Request.Path, exchange.Request.Body.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : exchange.Request.Body);
    }

    /// <summary>An HTTP call's arguments as <c>expect.tools</c> reads them: its query parameters, and its body under <c>body</c>.</summary>
    public static string HttpArguments(string pathAndQuery, JsonElement? body)
    {
        var arguments = new JsonObject();
        var parts = pathAndQuery.Split('?', 2);
        foreach (var pair in (parts.Length > 1 ? parts[1] : string.Empty).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            arguments[Uri.UnescapeDataString(kv[0].Replace('+', ' '))] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : string.Empty;
        }

        if (body is { } json)
        {
            arguments["body"] = JsonNode.Parse(json.GetRawText());
        }

        return arguments.ToJsonString(Compact);
    }

    private static JsonElement? Params(ToolExchange exchange) =>
        exchange.Request.Body.ValueKind == JsonValueKind.Object && exchange.Request.Body.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object ? p : null;

    /// <summary>An MCP answer's text content (joined), or its error's message.</summary>
    private static (string Text, bool IsError) McpResult(RecordedResponse response)
    {
        if (response.Body is not { ValueKind: JsonValueKind.Object } body)
        {
            return (string.Empty, true);
        }

        if (body.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            return (error.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : Text(error), true);
        }

        if (!body.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            return (string.Empty, false);
        }

        var isError = result.TryGetProperty("isError", out var flag) && flag.ValueKind == JsonValueKind.True;
        if (result.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            var texts = content.EnumerateArray()
                .Select(block => block.ValueKind == JsonValueKind.Object && block.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : Text(block));
            return (string.Join(Environment.NewLine, texts), isError);
        }

        return (Text(result), isError);
    }

    private static (string Text, bool IsError) HttpResult(RecordedResponse response) =>
        (response.Body is { } json ? Text(json) : response.BodyText ?? string.Empty, response.Status is 0 or >= 400 || response.Fault is not null);
}
