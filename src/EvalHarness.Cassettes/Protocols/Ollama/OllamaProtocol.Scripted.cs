using System.Globalization;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Scripted;

namespace EvalHarness.Cassettes.Protocols.Ollama;

/// <summary>
/// The scripted upstream's answers as Ollama gives them: one object on one line (<c>"stream":false</c>), or lines of
/// JSON, the text in pieces, the tool calls whole in a line of their own, and a last <c>done</c> line with the counts
/// and the durations (nanoseconds) of the simulated latency.
/// </summary>
internal sealed partial class OllamaProtocol
{
    /// <summary>Every scripted answer's <c>created_at</c>, so recordings are stable.</summary>
    private static readonly string CreatedAt = DateTimeOffset.FromUnixTimeSeconds(ScriptedWire.CreatedAt).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal override byte[] ScriptedAnswer(ScriptedReply reply) => ScriptedWire.Json(w =>
    {
        var generate = IsGenerate(reply);
        Start(w, reply.Model);
        if (generate)
        {
            w.WriteString("response", reply.Turn.Text ?? string.Empty);
        }
        else
        {
            Message(w, reply.Turn.Text ?? string.Empty, reply, withCalls: true);
        }

        Done(w, reply);
    });

    internal override List<(string? Event, string Data)> ScriptedEvents(ScriptedReply reply)
    {
        var generate = IsGenerate(reply);
        var lines = new List<(string?, string)>();
        void Add(Action<Utf8JsonWriter> write) => lines.Add((null, Encoding.UTF8.GetString(ScriptedWire.Json(write))));
        foreach (var piece in ScriptedWire.Pieces(reply.Turn.Text ?? string.Empty).Where(p => p.Length > 0))
        {
            Add(w =>
            {
                Start(w, reply.Model);
                if (generate)
                {
                    w.WriteString("response", piece);
                }
                else
                {
                    Message(w, piece, reply, withCalls: false);
                }

                w.WriteBoolean("done", false);
                w.WriteEndObject();
            });
        }

        if (!generate && reply.Turn.ToolCalls.Count > 0)
        {
            // As Ollama streams them: every call whole, in one line with no text.
            Add(w =>
            {
                Start(w, reply.Model);
                Message(w, string.Empty, reply, withCalls: true);
                w.WriteBoolean("done", false);
                w.WriteEndObject();
            });
        }

        Add(w =>
        {
            Start(w, reply.Model);
            if (generate)
            {
                w.WriteString("response", string.Empty);
            }
            else
            {
                Message(w, string.Empty, reply, withCalls: false);
            }

            Done(w, reply);
        });
        return lines;
    }

    internal override byte[] ErrorBody(int status, string message) => ScriptedWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });

    internal override string MalformedAnswer(ScriptedReply reply) =>
        $$"""{"model":"{{reply.Model}}","created_at":"{{CreatedAt}}","message":{"role":"assistant","content":"Hel""";

    /// <summary>
    /// Ollama's own error shape, <c>{"error":"…"}</c>. OllamaSharp reads the body of a 400 only (it throws
    /// <c>OllamaException</c> with the message); any other status becomes "Response status code does not indicate
    /// success: 422" with the body dropped, so the server's miss would not say what differs (see <see cref="HarnessErrorStatus"/>).
    /// </summary>
    internal override void WriteHarnessError(Utf8JsonWriter writer, int status, string type, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
    }

    /// <summary>
    /// 400 for every error of the server's own (a miss is 422, a missing cassette 404, a refused write 500 elsewhere):
    /// the one status whose message OllamaSharp shows; the Python client and the npm package show any status's
    /// <c>error</c>, so nothing is lost for them.
    /// </summary>
    internal override int HarnessErrorStatus(int status) => status is >= 400 and < 600 ? 400 : status;

    private static bool IsGenerate(ScriptedReply reply) => !reply.Request.TryGetProperty("messages", out _);

    private static void Start(Utf8JsonWriter w, string model)
    {
        w.WriteStartObject();
        w.WriteString("model", model);
        w.WriteString("created_at", CreatedAt);
    }

    private static void Message(Utf8JsonWriter w, string content, ScriptedReply reply, bool withCalls)
    {
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", content);
        if (withCalls && reply.Turn.ToolCalls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            for (var i = 0; i < reply.Turn.ToolCalls.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("id", $"call_{reply.CallId(i)[..8]}");
                w.WriteStartObject("function");
                w.WriteNumber("index", i);
                w.WriteString("name", reply.Turn.ToolCalls[i].Name);
                w.WritePropertyName("arguments");
                reply.Turn.ToolCalls[i].Arguments.WriteTo(w);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// The last line's fields, and its end: the reason, the counts, and durations in nanoseconds that add up to the
    /// upstream's simulated latency (250 ms to load, 0.02 ms a prompt token, 12 ms an output token).
    /// </summary>
    private static void Done(Utf8JsonWriter w, ScriptedReply reply)
    {
        const long PerMs = 1_000_000;
        var (load, promptEval, eval) = (250 * PerMs, (long)(reply.PromptTokens * 0.02 * PerMs), reply.CompletionTokens * 12 * PerMs);
        w.WriteString("done_reason", "stop");
        w.WriteBoolean("done", true);
        w.WriteNumber("total_duration", load + promptEval + eval);
        w.WriteNumber("load_duration", load);
        w.WriteNumber("prompt_eval_count", reply.PromptTokens);
        w.WriteNumber("prompt_eval_duration", promptEval);
        w.WriteNumber("eval_count", reply.CompletionTokens);
        w.WriteNumber("eval_duration", eval);
        w.WriteEndObject();
    }
}
