using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using static EvalHarness.Cassettes.Protocols.JsonRead;

namespace EvalHarness.Cassettes.Protocols.Anthropic;

/// <summary>
/// Anthropic's Messages API (<c>v1/messages</c>): <c>system</c>, content blocks (<c>text</c>, <c>tool_use</c>,
/// <c>tool_result</c> with <c>is_error</c>), <c>usage.input_tokens</c> with the cache's, and named stream events.
/// </summary>
internal sealed partial class AnthropicProtocol : WireProtocol
{
    public static AnthropicProtocol Instance { get; } = new();

    public override string Name => "anthropic";

    public override string? LiveUrl => "https://api.anthropic.com/";

    public override string? ApiKeyVariable => "ANTHROPIC_API_KEY";

    public override string BaseUrlVariable => "ANTHROPIC_BASE_URL";

    public override IReadOnlySet<string> VolatilePaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "$.messages[*].content[*].id",
        "$.messages[*].content[*].tool_use_id",
    };

    internal override IReadOnlyList<ProtocolPath> Paths { get; } = [new("v1/messages"), new("v1/messages/count_tokens")];

    internal override IReadOnlyList<string> ScriptedPaths => ["v1/messages"];

    internal override IReadOnlyCollection<string> RecordedRequestHeaders => ["anthropic-version", "anthropic-beta"];

    internal override IReadOnlyList<string> SystemPaths => ["$.system"];

    /// <summary>A <c>tool_result</c> block answering a <c>tool_use</c> block by its id.</summary>
    internal override string? ToolResultCallId(JsonElement conversation, int index, JsonElement? block) =>
        block is { } b && Str(b, "type") == "tool_result" ? Str(b, "tool_use_id") : null;

    internal override string? ToolNameOf(JsonElement message, string callId) =>
        Items(message, "content").Where(b => Str(b, "type") == "tool_use" && Str(b, "id") == callId).Select(b => Str(b, "name")).FirstOrDefault();

    /// <summary>A content value's text, its <c>tool_use</c> blocks written <c>→ name(input)</c> and its <c>tool_result</c> blocks <c>← result</c>.</summary>
    private static string ContentText(JsonElement content) => Text(content, block => Str(block, "type") switch
    {
        "tool_use" => $"→ {Str(block, "name")}({(block.TryGetProperty("input", out var i) ? i.GetRawText() : "{}")})",
        "tool_result" => $"← {(block.TryGetProperty("content", out var c) ? ContentText(c) : string.Empty)}",
        _ => null,
    });

    public override ModelRequest ReadRequest(JsonElement body)
    {
        var messages = new List<ModelMessage>();
        var results = new List<ModelToolResult>();
        if (body.TryGetProperty("system", out var system))
        {
            messages.Add(new("system", ContentText(system)));
        }

        foreach (var message in Items(body, "messages"))
        {
            // A user message whose content blocks include { type: tool_result, tool_use_id, content, is_error }.
            foreach (var block in Items(message, "content").Where(b => Str(b, "type") == "tool_result"))
            {
                if (Str(block, "tool_use_id") is { } useId)
                {
                    results.Add(new(useId, block.TryGetProperty("content", out var c) ? ContentText(c) : string.Empty, Get(block, "is_error").ValueKind == JsonValueKind.True));
                }
            }

            var content = Get(message, "content");
            messages.Add(new(Str(message, "role") ?? "user", content.ValueKind == JsonValueKind.Null ? string.Empty : ContentText(content)));
        }

        return new ModelRequest(messages, results);
    }

    private protected override ModelAnswer ReadBody(JsonElement body, string path)
    {
        var text = new StringBuilder();
        var calls = new List<ModelToolCall>();
        foreach (var block in Items(body, "content"))
        {
            switch (Str(block, "type"))
            {
                case "text":
                    text.Append(Str(block, "text"));
                    break;
                case "tool_use":
                    calls.Add(new ModelToolCall(Str(block, "id") ?? string.Empty, Str(block, "name") ?? string.Empty, block.TryGetProperty("input", out var i) ? i.GetRawText() : "{}"));
                    break;
            }
        }

        var usage = Get(body, "usage");
        return new ModelAnswer(null, true, "ok", text.ToString(), calls, InputTokens(usage), Long(usage, "output_tokens"));
    }

    /// <summary>Input tokens with those read from and written to the prompt cache.</summary>
    private static long InputTokens(JsonElement usage) =>
        Long(usage, "input_tokens") + Long(usage, "cache_read_input_tokens") + Long(usage, "cache_creation_input_tokens");

    private protected override JsonElement? Assemble(IReadOnlyList<SseEvent> events, string path)
    {
        var text = new StringBuilder();
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        long input = 0, output = 0;
        string? model = null;
        foreach (var data in events.Select(e => e.Data).Where(d => d.ValueKind == JsonValueKind.Object))
        {
            switch (Str(data, "type"))
            {
                case "message_start":
                    var message = data.GetProperty("message");
                    model = Str(message, "model");
                    input = InputTokens(Get(message, "usage"));
                    output = Long(Get(message, "usage"), "output_tokens");
                    break;
                case "content_block_start" when data.GetProperty("content_block") is var block && Str(block, "type") == "tool_use":
                    calls[(int)Long(data, "index")] = (Str(block, "id") ?? string.Empty, Str(block, "name") ?? string.Empty, new StringBuilder());
                    break;
                case "content_block_delta":
                    var delta = data.GetProperty("delta");
                    if (Str(delta, "type") == "text_delta")
                    {
                        text.Append(Str(delta, "text"));
                    }
                    else if (Str(delta, "type") == "input_json_delta" && calls.TryGetValue((int)Long(data, "index"), out var call))
                    {
                        call.Arguments.Append(Str(delta, "partial_json"));
                    }

                    break;
                case "message_delta" when data.TryGetProperty("usage", out var du):
                    output = Math.Max(output, Long(du, "output_tokens"));
                    break;
            }
        }

        var content = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = text.ToString() } };
        foreach (var call in calls.Values)
        {
            content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = ParseOrText(call.Arguments.ToString()) });
        }

        return Element(new JsonObject
        {
            ["model"] = model,
            ["content"] = content,
            ["usage"] = new JsonObject { ["input_tokens"] = input, ["output_tokens"] = output },
        });
    }
}
