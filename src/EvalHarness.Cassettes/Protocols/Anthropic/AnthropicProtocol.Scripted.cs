using System.Text;
using System.Text.Json;

using EvalHarness.Cassettes.Scripted;

namespace EvalHarness.Cassettes.Protocols.Anthropic;

/// <summary>The scripted upstream's answers in the Messages format: messages, errors and stream events.</summary>
internal sealed partial class AnthropicProtocol
{
    internal override ScriptedRequest ReadScripted(string path, JsonElement body)
    {
        var system = AnthropicSystem(body);
        var prompt = ScriptedWire.EstimateTokens(body.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array ? messages.GetRawText() : string.Empty)
            + (body.TryGetProperty("tools", out var tools) ? ScriptedWire.EstimateTokens(tools.GetRawText()) : 0)
            + ScriptedWire.EstimateTokens(system ?? string.Empty);
        return new ScriptedRequest(system, JsonRead.Str(body, "model") ?? "scripted", prompt, body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True);
    }

    internal override byte[] ScriptedAnswer(ScriptedReply reply) =>
        AnthropicMessage(reply.CassetteId, reply.TurnIndex, reply.Model, reply.Turn, reply.PromptTokens, reply.CompletionTokens);

    internal override List<(string? Event, string Data)> ScriptedEvents(ScriptedReply reply) =>
        AnthropicEvents(reply.CassetteId, reply.TurnIndex, reply.Model, reply.Turn, reply.PromptTokens, reply.CompletionTokens);

    internal override byte[] ErrorBody(int status, string message) => AnthropicError(status, message);

    internal override string MalformedAnswer(ScriptedReply reply) =>
        $$"""{"id":"msg_{{reply.AnswerId}}","type":"message","role":"assistant","content":[{"type":"text","text":"Hel""";

    /// <summary>The system prompt of a Messages request: a string, or text blocks.</summary>
    private static string? AnthropicSystem(JsonElement root) => root.TryGetProperty("system", out var system) ? system.ValueKind switch
    {
        JsonValueKind.String => system.GetString(),
        JsonValueKind.Array => string.Concat(system.EnumerateArray().Where(b => b.TryGetProperty("text", out _)).Select(b => b.GetProperty("text").GetString())),
        _ => null,
    } : null;

    private static byte[] AnthropicMessage(string id, int turnIndex, string model, ScriptedTurn turn, int inputTokens, int outputTokens) =>
        ScriptedWire.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", $"msg_{ScriptedWire.Hash(id, turnIndex)}");
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", model);
            w.WriteStartArray("content");
            if (turn.Text is { } text)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", text);
                w.WriteEndObject();
            }

            for (var i = 0; i < turn.ToolCalls.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("type", "tool_use");
                w.WriteString("id", ToolUseId(id, turnIndex, i));
                w.WriteString("name", turn.ToolCalls[i].Name);
                w.WritePropertyName("input");
                turn.ToolCalls[i].Arguments.WriteTo(w);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("stop_reason", turn.ToolCalls.Count > 0 ? "tool_use" : "end_turn");
            w.WriteNull("stop_sequence");
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", inputTokens);
            w.WriteNumber("output_tokens", outputTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>The turn as Anthropic stream events: message_start, a block per text and tool call with its deltas, message_delta, message_stop.</summary>
    private static List<(string? Event, string Data)> AnthropicEvents(string id, int turnIndex, string model, ScriptedTurn turn, int inputTokens, int outputTokens)
    {
        var events = new List<(string?, string)>();
        void Add(string name, Action<Utf8JsonWriter> body) => events.Add((name, Encoding.UTF8.GetString(ScriptedWire.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", name);
            body(w);
            w.WriteEndObject();
        }))));

        Add("message_start", w =>
        {
            w.WriteStartObject("message");
            w.WriteString("id", $"msg_{ScriptedWire.Hash(id, turnIndex)}");
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", inputTokens);
            w.WriteNumber("output_tokens", 1);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        var index = 0;
        if (turn.Text is { } text)
        {
            var block = index++;
            Add("content_block_start", w =>
            {
                w.WriteNumber("index", block);
                w.WriteStartObject("content_block");
                w.WriteString("type", "text");
                w.WriteString("text", string.Empty);
                w.WriteEndObject();
            });
            foreach (var piece in ScriptedWire.Pieces(text))
            {
                Add("content_block_delta", w =>
                {
                    w.WriteNumber("index", block);
                    w.WriteStartObject("delta");
                    w.WriteString("type", "text_delta");
                    w.WriteString("text", piece);
                    w.WriteEndObject();
                });
            }

            Add("content_block_stop", w => w.WriteNumber("index", block));
        }

        for (var i = 0; i < turn.ToolCalls.Count; i++)
        {
            var (block, call, toolUseId) = (index++, turn.ToolCalls[i], ToolUseId(id, turnIndex, i));
            var input = call.Arguments.GetRawText();
            Add("content_block_start", w =>
            {
                w.WriteNumber("index", block);
                w.WriteStartObject("content_block");
                w.WriteString("type", "tool_use");
                w.WriteString("id", toolUseId);
                w.WriteString("name", call.Name);
                w.WriteStartObject("input");
                w.WriteEndObject();
                w.WriteEndObject();
            });
            foreach (var part in new[] { input[..(input.Length / 2)], input[(input.Length / 2)..] })
            {
                Add("content_block_delta", w =>
                {
                    w.WriteNumber("index", block);
                    w.WriteStartObject("delta");
                    w.WriteString("type", "input_json_delta");
                    w.WriteString("partial_json", part);
                    w.WriteEndObject();
                });
            }

            Add("content_block_stop", w => w.WriteNumber("index", block));
        }

        Add("message_delta", w =>
        {
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", turn.ToolCalls.Count > 0 ? "tool_use" : "end_turn");
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("output_tokens", outputTokens);
            w.WriteEndObject();
        });
        Add("message_stop", _ => { });
        return events;
    }

    private static byte[] AnthropicError(int status, string message) => ScriptedWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", status switch { 429 => "rate_limit_error", 529 => "overloaded_error", >= 500 => "api_error", _ => "invalid_request_error" });
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static string ToolUseId(string id, int turnIndex, int call) => $"toolu_{ScriptedWire.Hash(id, (turnIndex * 100) + call)}";
}
