using System.Text;
using System.Text.Json;

namespace EvalHarness.Cassettes.Scripted;

/// <summary>The Anthropic Messages wire format of the scripted upstream: messages, errors and stream events.</summary>
public sealed partial class ScriptedUpstream
{
    /// <summary>The system prompt of a Messages request: a string, or text blocks.</summary>
    private static string? AnthropicSystem(JsonElement root) => root.TryGetProperty("system", out var system) ? system.ValueKind switch
    {
        JsonValueKind.String => system.GetString(),
        JsonValueKind.Array => string.Concat(system.EnumerateArray().Where(b => b.TryGetProperty("text", out _)).Select(b => b.GetProperty("text").GetString())),
        _ => null,
    } : null;

    private static byte[] AnthropicMessage(string id, int turnIndex, string model, ScriptedTurn turn, int inputTokens, int outputTokens) =>
        Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", $"msg_{Hash(id, turnIndex)}");
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
        void Add(string name, Action<Utf8JsonWriter> body) => events.Add((name, Encoding.UTF8.GetString(Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", name);
            body(w);
            w.WriteEndObject();
        }))));

        Add("message_start", w =>
        {
            w.WriteStartObject("message");
            w.WriteString("id", $"msg_{Hash(id, turnIndex)}");
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
            foreach (var piece in Pieces(text))
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

    private static byte[] AnthropicError(int status, string message) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", status switch { 429 => "rate_limit_error", 529 => "overloaded_error", >= 500 => "api_error", _ => "invalid_request_error" });
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static string ToolUseId(string id, int turnIndex, int call) => $"toolu_{Hash(id, (turnIndex * 100) + call)}";

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.ToArray();
    }
}
