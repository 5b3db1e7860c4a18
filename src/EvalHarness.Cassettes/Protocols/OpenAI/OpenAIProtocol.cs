using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using static EvalHarness.Cassettes.Protocols.JsonRead;

namespace EvalHarness.Cassettes.Protocols.OpenAI;

/// <summary>
/// OpenAI's API: Chat Completions (<c>v1/chat/completions</c>: <c>choices[].message</c>, <c>tool_calls</c>,
/// <c>usage.prompt_tokens</c>), the Responses API (<c>v1/responses</c>: <c>output</c> items, <c>function_call</c>) and
/// embeddings; also every OpenAI-compatible server (Ollama's <c>/v1</c>, vLLM, LM Studio), whose other <c>v1/…</c>
/// paths are this protocol's too.
/// </summary>
internal sealed partial class OpenAIProtocol : WireProtocol
{
    public static OpenAIProtocol Instance { get; } = new();

    public override string Name => "openai";

    public override string? LiveUrl => "https://api.openai.com/";

    public override string? ApiKeyVariable => "OPENAI_API_KEY";

    public override string BaseUrlVariable => "OPENAI_BASE_URL";

    public override string BaseUrlPath => "v1";

    public override IReadOnlySet<string> VolatilePaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "$.messages[*].tool_call_id",
        "$.messages[*].tool_calls[*].id",
    };

    internal override IReadOnlyList<ProtocolPath> Paths { get; } =
    [
        new("v1/chat/completions"), new("v1/completions"), new("v1/responses"), new("v1/responses/*"), new("v1/embeddings"),
        new("v1/models"), new("v1/models/*"), new("v1/moderations"),
    ];

    internal override IReadOnlyList<string> ScriptedPaths => ["v1/chat/completions"];

    internal override IReadOnlyCollection<string> RecordedRequestHeaders => ["openai-beta"];

    /// <summary>The path segment every OpenAI-compatible path starts with: a path of no known protocol is OpenAI's from its last <c>v1</c>.</summary>
    internal const string CompatibleRoot = "v1";

    internal override IReadOnlyList<string> SystemPaths => ["$.instructions"];

    /// <summary>Chat: a <c>tool</c> message answering a call by its <c>tool_call_id</c>.</summary>
    internal override string? ToolResultCallId(JsonElement conversation, int index, JsonElement? block) =>
        Str(conversation[index], "role") == "tool" ? Str(conversation[index], "tool_call_id") : null;

    internal override string? ToolNameOf(JsonElement message, string callId) =>
        Items(message, "tool_calls").Where(c => Str(c, "id") == callId).Select(c => Str(Get(c, "function"), "name")).FirstOrDefault();

    /// <summary>A content value's text: the Responses API's <c>input_text</c> and <c>output_text</c> parts as text.</summary>
    private static string ContentText(JsonElement content) =>
        Text(content, b => Str(b, "type") is "input_text" or "output_text" ? Str(b, "text") ?? string.Empty : null);

    public override ModelRequest ReadRequest(JsonElement body)
    {
        var messages = new List<ModelMessage>();
        var results = new List<ModelToolResult>();
        if (Str(body, "instructions") is { } instructions)
        {
            messages.Add(new("system", instructions));
        }

        if (Get(body, "input") is { ValueKind: JsonValueKind.String } input)
        {
            messages.Add(new("user", input.GetString()!));
        }

        foreach (var message in Items(body, "messages").Concat(Items(body, "input")))
        {
            // Chat: { role: tool, tool_call_id, content }; Responses: { type: function_call_output, call_id, output }.
            if (Str(message, "role") == "tool" && Str(message, "tool_call_id") is { } id)
            {
                results.Add(new(id, ContentText(message.GetProperty("content")), null));
            }
            else if (Str(message, "type") == "function_call_output" && Str(message, "call_id") is { } callId)
            {
                results.Add(new(callId, message.TryGetProperty("output", out var output) ? ContentText(output) : string.Empty, null));
            }

            var role = Str(message, "role") ?? (Str(message, "type") switch
            {
                "function_call" => "assistant",
                "function_call_output" => "tool",
                _ => "user",
            });
            var parts = new List<string>();
            if (message.TryGetProperty("content", out var content) && content.ValueKind != JsonValueKind.Null)
            {
                parts.Add(ContentText(content));
            }

            foreach (var call in Items(message, "tool_calls"))
            {
                var function = call.GetProperty("function");
                parts.Add($"→ {Str(function, "name")}({Str(function, "arguments")})");
            }

            if (Str(message, "type") == "function_call")
            {
                parts.Add($"→ {Str(message, "name")}({Str(message, "arguments")})");
            }

            if (Str(message, "type") == "function_call_output" && message.TryGetProperty("output", out var result))
            {
                parts.Add($"← {ContentText(result)}");
            }

            var text = string.Join(Environment.NewLine, parts.Where(p => p.Length > 0));
            messages.Add(new(role, role == "tool" && !text.StartsWith('←') ? $"← {text}" : text));
        }

        return new ModelRequest(messages, results);
    }

    /// <summary>Reads an answer body in OpenAI's format, for a protocol that speaks it on other paths (Azure OpenAI).</summary>
    internal ModelAnswer ReadOpenAIBody(JsonElement body, string path) => ReadBody(body, path);

    /// <summary>Puts a stream in OpenAI's format back together, for a protocol that speaks it on other paths (Azure OpenAI).</summary>
    internal JsonElement? AssembleOpenAI(IReadOnlyList<SseEvent> events, string path) => Assemble(events, path);

    private protected override ModelAnswer ReadBody(JsonElement body, string path)
    {
        var text = new StringBuilder();
        var calls = new List<ModelToolCall>();
        if (body.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in choices.EnumerateArray().Select(c => Get(c, "message")))
            {
                text.Append(Str(message, "content"));
                calls.AddRange(Items(message, "tool_calls").Select(c => new ModelToolCall(
                    Str(c, "id") ?? string.Empty,
                    Str(c.GetProperty("function"), "name") ?? string.Empty,
                    Str(c.GetProperty("function"), "arguments") ?? "{}")));
            }

            var usage = Get(body, "usage");
            return new ModelAnswer(null, true, "ok", text.ToString(), calls, Long(usage, "prompt_tokens"), Long(usage, "completion_tokens"));
        }

        // The Responses API: output items of type message (with output_text parts) and function_call.
        foreach (var item in Items(body, "output"))
        {
            if (Str(item, "type") == "function_call")
            {
                calls.Add(new ModelToolCall(Str(item, "call_id") ?? Str(item, "id") ?? string.Empty, Str(item, "name") ?? string.Empty, Str(item, "arguments") ?? "{}"));
            }
            else if (Str(item, "type") == "message")
            {
                text.Append(ContentText(Get(item, "content")));
            }
        }

        var responseUsage = Get(body, "usage");
        return new ModelAnswer(null, true, "ok", text.ToString(), calls, Long(responseUsage, "input_tokens"), Long(responseUsage, "output_tokens"));
    }

    private protected override JsonElement? Assemble(IReadOnlyList<SseEvent> events, string path)
    {
        if (path.EndsWith("/responses", StringComparison.Ordinal))
        {
            // The Responses API ends its stream with the whole response.
            return events.Select(e => e.Data).Where(d => Str(d, "type") == "response.completed").Select(d => (JsonElement?)d.GetProperty("response")).LastOrDefault();
        }

        var text = new StringBuilder();
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        long input = 0, output = 0;
        string? model = null;
        foreach (var data in events.Select(e => e.Data).Where(d => d.ValueKind == JsonValueKind.Object))
        {
            // Azure's first chunk (its prompt's content filter results) has no choices and an empty model.
            model ??= Str(data, "model") is { Length: > 0 } named ? named : null;
            if (data.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                input = Long(usage, "prompt_tokens");
                output = Long(usage, "completion_tokens");
            }

            foreach (var delta in Items(data, "choices").Select(c => Get(c, "delta")))
            {
                text.Append(Str(delta, "content"));
                foreach (var piece in Items(delta, "tool_calls"))
                {
                    var index = (int)Long(piece, "index");
                    var function = Get(piece, "function");
                    var known = calls.TryGetValue(index, out var call) ? call : (string.Empty, string.Empty, new StringBuilder());
                    calls[index] = (Str(piece, "id") ?? known.Item1, Str(function, "name") ?? known.Item2, known.Item3.Append(Str(function, "arguments")));
                }
            }
        }

        var toolCalls = new JsonArray();
        foreach (var call in calls.Values)
        {
            toolCalls.Add(new JsonObject { ["id"] = call.Id, ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments.ToString() } });
        }

        return Element(new JsonObject
        {
            ["model"] = model,
            ["choices"] = new JsonArray { new JsonObject { ["message"] = new JsonObject { ["content"] = text.ToString(), ["tool_calls"] = toolCalls } } },
            ["usage"] = new JsonObject { ["prompt_tokens"] = input, ["completion_tokens"] = output },
        });
    }

    internal override ScriptedRequest ReadScripted(string path, JsonElement body)
    {
        var messages = Get(body, "messages");
        var system = Items(body, "messages")
            .Where(m => Str(m, "role") == "system" && Get(m, "content").ValueKind == JsonValueKind.String)
            .Select(m => m.GetProperty("content").GetString()).FirstOrDefault();
        var prompt = ScriptedWire.EstimateTokens(messages.ValueKind == JsonValueKind.Array ? messages.GetRawText() : string.Empty)
            + (body.TryGetProperty("tools", out var tools) ? ScriptedWire.EstimateTokens(tools.GetRawText()) : 0);
        return new ScriptedRequest(system, Str(body, "model") ?? "scripted", prompt, Get(body, "stream").ValueKind == JsonValueKind.True);
    }
}
