using System.Text;
using System.Text.Json;

using EvalHarness.Cassettes.Scripted;

namespace EvalHarness.Cassettes.Protocols.OpenAI;

/// <summary>The scripted upstream's answers in the Chat Completions format: completions, stream chunks and errors.</summary>
internal sealed partial class OpenAIProtocol
{
    internal override byte[] ScriptedAnswer(ScriptedReply reply) =>
        Completion(reply.CassetteId, reply.TurnIndex, reply.Model, reply.Turn, reply.PromptTokens, reply.CompletionTokens);

    internal override List<(string? Event, string Data)> ScriptedEvents(ScriptedReply reply)
    {
        var request = reply.Request;
        var includeUsage = request.TryGetProperty("stream_options", out var so) && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        return [.. Chunks(reply.CassetteId, reply.TurnIndex, reply.Model, reply.Turn, includeUsage ? (reply.PromptTokens, reply.CompletionTokens) : null).Select(c => ((string?)null, c))];
    }

    internal override byte[] ErrorBody(int status, string message) =>
        ScriptedWire.OpenAIStyleError(message, status == 429 ? "rate_limit_exceeded" : "server_error");

    internal override string MalformedAnswer(ScriptedReply reply) =>
        $$"""{"id":"chatcmpl-{{reply.AnswerId}}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel""";

    private static byte[] Completion(string id, int turnIndex, string model, ScriptedTurn turn, int promptTokens, int completionTokens)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", $"chatcmpl-{ScriptedWire.Hash(id, turnIndex)}");
            w.WriteString("object", "chat.completion");
            w.WriteNumber("created", ScriptedWire.CreatedAt);
            w.WriteString("model", model);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            if (turn.Text is null)
            {
                w.WriteNull("content");
            }
            else
            {
                w.WriteString("content", turn.Text);
            }

            if (turn.ToolCalls.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                for (var i = 0; i < turn.ToolCalls.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("id", $"call_{ScriptedWire.Hash(id, (turnIndex * 100) + i)}");
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", turn.ToolCalls[i].Name);
                    w.WriteString("arguments", turn.ToolCalls[i].Arguments.GetRawText());
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteString("finish_reason", turn.ToolCalls.Count > 0 ? "tool_calls" : "stop");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", promptTokens);
            w.WriteNumber("completion_tokens", completionTokens);
            w.WriteNumber("total_tokens", promptTokens + completionTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The turn as OpenAI streaming chunks: role, text in pieces, each tool call's name then its arguments in two parts, the finish, the usage.</summary>
    private static List<string> Chunks(string id, int turnIndex, string model, ScriptedTurn turn, (int Prompt, int Completion)? usage)
    {
        var completionId = $"chatcmpl-{ScriptedWire.Hash(id, turnIndex)}";
        string Chunk(Action<Utf8JsonWriter> delta, string? finish = null, bool noChoices = false, Action<Utf8JsonWriter>? extra = null)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("id", completionId);
                w.WriteString("object", "chat.completion.chunk");
                w.WriteNumber("created", ScriptedWire.CreatedAt);
                w.WriteString("model", model);
                w.WriteStartArray("choices");
                if (!noChoices)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", 0);
                    w.WriteStartObject("delta");
                    delta(w);
                    w.WriteEndObject();
                    if (finish is null)
                    {
                        w.WriteNull("finish_reason");
                    }
                    else
                    {
                        w.WriteString("finish_reason", finish);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                extra?.Invoke(w);
                w.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        var chunks = new List<string> { Chunk(w => { w.WriteString("role", "assistant"); w.WriteString("content", string.Empty); }) };
        foreach (var piece in ScriptedWire.Pieces(turn.Text ?? string.Empty))
        {
            chunks.Add(Chunk(w => w.WriteString("content", piece)));
        }

        for (var i = 0; i < turn.ToolCalls.Count; i++)
        {
            var (index, call) = (i, turn.ToolCalls[i]);
            var arguments = call.Arguments.GetRawText();
            chunks.Add(Chunk(w => ToolDelta(w, index, $"call_{ScriptedWire.Hash(id, (turnIndex * 100) + index)}", call.Name, string.Empty)));
            chunks.Add(Chunk(w => ToolDelta(w, index, null, null, arguments[..(arguments.Length / 2)])));
            chunks.Add(Chunk(w => ToolDelta(w, index, null, null, arguments[(arguments.Length / 2)..])));
        }

        chunks.Add(Chunk(_ => { }, turn.ToolCalls.Count > 0 ? "tool_calls" : "stop"));
        if (usage is { } u)
        {
            chunks.Add(Chunk(_ => { }, noChoices: true, extra: w =>
            {
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", u.Prompt);
                w.WriteNumber("completion_tokens", u.Completion);
                w.WriteNumber("total_tokens", u.Prompt + u.Completion);
                w.WriteEndObject();
            }));
        }

        chunks.Add("[DONE]");
        return chunks;
    }

    private static void ToolDelta(Utf8JsonWriter w, int index, string? callId, string? name, string arguments)
    {
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        if (callId is not null)
        {
            w.WriteString("id", callId);
            w.WriteString("type", "function");
        }

        w.WriteStartObject("function");
        if (name is not null)
        {
            w.WriteString("name", name);
        }

        w.WriteString("arguments", arguments);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }
}
