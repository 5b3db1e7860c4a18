using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Scripted;
using static EvalHarness.Cassettes.Protocols.JsonRead;

namespace EvalHarness.Cassettes.Protocols.Gemini;

/// <summary>The scripted upstream's answers in Gemini's format: responses, stream chunks and errors.</summary>
internal sealed partial class GeminiProtocol
{
    internal override ScriptedRequest ReadScripted(string path, JsonElement body)
    {
        var system = Get(body, "systemInstruction") switch
        {
            { ValueKind: JsonValueKind.Object } content => string.Concat(Items(content, "parts").Select(p => Str(p, "text"))),
            { ValueKind: JsonValueKind.String } plain => plain.GetString(),
            _ => null,
        };
        var prompt = ScriptedWire.EstimateTokens(Get(body, "contents") is { ValueKind: JsonValueKind.Array } contents ? contents.GetRawText() : string.Empty)
            + (body.TryGetProperty("tools", out var tools) ? ScriptedWire.EstimateTokens(tools.GetRawText()) : 0)
            + ScriptedWire.EstimateTokens(system ?? string.Empty);
        return new ScriptedRequest(system, ModelOf(path) ?? "scripted", prompt, IsStream(path));
    }

    internal override byte[] ScriptedAnswer(ScriptedReply reply) => ScriptedWire.Json(w =>
        Response(w, reply, Parts(reply.Turn), reply.CompletionTokens, finished: true));

    /// <summary>
    /// The turn as Gemini streams it: its text in pieces, a chunk each, then each function call whole in a chunk of its
    /// own; usage is the running total in every chunk and the last one carries the finish reason.
    /// </summary>
    internal override List<(string? Event, string Data)> ScriptedEvents(ScriptedReply reply)
    {
        var turn = reply.Turn;
        var chunks = new List<Action<Utf8JsonWriter>>();
        if (turn.Text is { } text)
        {
            chunks.AddRange(ScriptedWire.Pieces(text).Select(piece => (Action<Utf8JsonWriter>)(w => TextPart(w, piece))));
        }

        chunks.AddRange(turn.ToolCalls.Select(call => (Action<Utf8JsonWriter>)(w => CallPart(w, call))));
        if (chunks.Count == 0)
        {
            chunks.Add(w => TextPart(w, string.Empty));
        }

        var events = new List<(string?, string)>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var (part, last) = (chunks[i], i == chunks.Count - 1);
            // Output tokens so far, in proportion to the chunks sent: the last chunk's are the answer's.
            var tokens = last ? reply.CompletionTokens : Math.Max(1, reply.CompletionTokens * (i + 1) / chunks.Count);
            events.Add((null, Encoding.UTF8.GetString(ScriptedWire.Json(w => Response(w, reply, [part], tokens, last)))));
        }

        return events;
    }

    internal override byte[] ErrorBody(int status, string message) => ScriptedWire.Json(w => Error(w, status, StatusName(status), message, reason: null));

    internal override string MalformedAnswer(ScriptedReply reply) =>
        """{"candidates":[{"content":{"parts":[{"text":"Hel""";

    /// <summary>
    /// The cassette server's own error in Google's shape, <c>{"error":{"code","message","status","details"}}</c>:
    /// <c>@google/genai</c> puts the body's JSON in the message of the <c>ApiError</c> it throws, so the miss's words
    /// are what the agent's log shows. The harness's error type is the <c>ErrorInfo</c> reason, as Google gives its own.
    /// </summary>
    internal override void WriteHarnessError(Utf8JsonWriter writer, int status, string type, string message) =>
        Error(writer, status, status is 422 or 409 ? "FAILED_PRECONDITION" : StatusName(status), message, type);

    private static void Error(Utf8JsonWriter w, int code, string status, string message, string? reason)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WriteString("status", status);
        if (reason is not null)
        {
            w.WriteStartArray("details");
            w.WriteStartObject();
            w.WriteString("@type", "type.googleapis.com/google.rpc.ErrorInfo");
            w.WriteString("reason", reason);
            w.WriteString("domain", "evalharness");
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The canonical status Google's APIs pair with an HTTP status.</summary>
    private static string StatusName(int status) => status switch
    {
        400 or 413 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        408 or 504 => "DEADLINE_EXCEEDED",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "UNIMPLEMENTED",
        502 or 503 => "UNAVAILABLE",
        >= 500 => "INTERNAL",
        _ => "FAILED_PRECONDITION",
    };

    private static List<Action<Utf8JsonWriter>> Parts(ScriptedTurn turn)
    {
        var parts = new List<Action<Utf8JsonWriter>>();
        if (turn.Text is { } text)
        {
            parts.Add(w => TextPart(w, text));
        }

        parts.AddRange(turn.ToolCalls.Select(call => (Action<Utf8JsonWriter>)(w => CallPart(w, call))));
        return parts;
    }

    private static void TextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    /// <summary>A function call as the Developer API sends it: a name and its arguments, no id.</summary>
    private static void CallPart(Utf8JsonWriter w, ScriptedToolCall call)
    {
        w.WriteStartObject();
        w.WriteStartObject("functionCall");
        w.WriteString("name", call.Name);
        w.WritePropertyName("args");
        call.Arguments.WriteTo(w);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A <c>GenerateContentResponse</c> (or one chunk of a stream) holding <paramref name="parts"/>.</summary>
    private static void Response(Utf8JsonWriter w, ScriptedReply reply, IReadOnlyList<Action<Utf8JsonWriter>> parts, int outputTokens, bool finished)
    {
        w.WriteStartObject();
        w.WriteStartArray("candidates");
        w.WriteStartObject();
        w.WriteStartObject("content");
        w.WriteStartArray("parts");
        foreach (var part in parts)
        {
            part(w);
        }

        w.WriteEndArray();
        w.WriteString("role", "model");
        w.WriteEndObject();
        if (finished)
        {
            w.WriteString("finishReason", "STOP");
        }

        w.WriteNumber("index", 0);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("usageMetadata");
        w.WriteNumber("promptTokenCount", reply.PromptTokens);
        w.WriteNumber("candidatesTokenCount", outputTokens);
        w.WriteNumber("totalTokenCount", reply.PromptTokens + outputTokens);
        w.WriteEndObject();
        w.WriteString("modelVersion", reply.Model);
        w.WriteString("responseId", reply.AnswerId);
        w.WriteEndObject();
    }
}
