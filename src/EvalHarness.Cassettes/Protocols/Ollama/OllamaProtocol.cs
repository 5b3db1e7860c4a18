using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using static EvalHarness.Cassettes.Protocols.JsonRead;

namespace EvalHarness.Cassettes.Protocols.Ollama;

/// <summary>
/// Ollama's native API (<c>api/chat</c>: <c>messages</c>, <c>message.tool_calls</c> with arguments as an object;
/// <c>api/generate</c>: <c>prompt</c>, <c>response</c>), streamed as lines of JSON (<c>application/x-ndjson</c>, the
/// last line <c>done:true</c> with <c>prompt_eval_count</c>/<c>eval_count</c> and durations in nanoseconds) unless the
/// request says <c>"stream":false</c>. A local server: no key. Its OpenAI-compatible <c>/v1</c> is OpenAI's protocol.
/// </summary>
/// <remarks>
/// Ollama's tool calls have no id a client must send back (the server's <c>call_…</c> is optional and OllamaSharp drops
/// it), so a call's id here is its tool's name, and a tool result (<c>tool_name</c>, else its place after the
/// assistant's calls) names it the same way.
/// </remarks>
internal sealed partial class OllamaProtocol : WireProtocol
{
    public static OllamaProtocol Instance { get; } = new();

    public override string Name => "ollama";

    public override string? LiveUrl => "http://127.0.0.1:11434/";

    public override string? ApiKeyVariable => null;

    /// <summary>Read by Ollama's CLI, Go and Python clients (not by OllamaSharp, nor by the npm package: they take the host in code).</summary>
    public override string BaseUrlVariable => "OLLAMA_HOST";

    /// <summary>The server makes a tool call's id up (<c>call_</c> and 8 random characters) on every call; a client may send it back.</summary>
    public override IReadOnlySet<string> VolatilePaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "$.messages[*].tool_calls[*].id",
        "$.messages[*].tool_call_id",
    };

    internal override IReadOnlyList<ProtocolPath> Paths { get; } = [new(ChatPath), new(GeneratePath)];

    internal override IReadOnlyList<string> ScriptedPaths => [ChatPath, GeneratePath];

    internal override string StreamMediaType => StreamFraming.Ndjson;

    private const string ChatPath = "api/chat";

    private const string GeneratePath = "api/generate";

    /// <summary>What a tool result's made-up <c>CallId</c> is recorded and matched as.</summary>
    internal const string VolatileCallId = "(volatile)";

    /// <summary>
    /// A <c>tool</c> message answers a call by the tool's name (<c>tool_name</c>); OllamaSharp's name none and carry no
    /// call id, so the n-th tool message after the assistant's calls answers its n-th call (<see cref="PlacePrefix"/>).
    /// </summary>
    internal override string? ToolResultCallId(JsonElement conversation, int index, JsonElement? block)
    {
        var message = conversation[index];
        if (Str(message, "role") != "tool")
        {
            return null;
        }

        if ((Str(message, "tool_name") ?? Str(message, "tool_call_id")) is { } named)
        {
            return named;
        }

        var place = 0;
        while (index - 1 - place >= 0 && Str(conversation[index - 1 - place], "role") == "tool")
        {
            place++;
        }

        return PlacePrefix + place.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The id <see cref="ToolResultCallId"/> gives a result known only by its place among the calls.</summary>
    private const string PlacePrefix = "#";

    internal override string? ToolNameOf(JsonElement message, string callId)
    {
        var names = Items(message, "tool_calls").Select(c => Str(Get(c, "function"), "name")).ToList();
        return callId.StartsWith(PlacePrefix, StringComparison.Ordinal)
            ? int.TryParse(callId.AsSpan(PlacePrefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var place) && place < names.Count ? names[place] : null
            : names.FirstOrDefault(n => n == callId);
    }

    public override ModelRequest ReadRequest(JsonElement body)
    {
        var messages = new List<ModelMessage>();
        var results = new List<ModelToolResult>();
        if (Str(body, "system") is { } system)
        {
            messages.Add(new("system", system));
        }

        if (Str(body, "prompt") is { } prompt)
        {
            messages.Add(new("user", prompt));
        }

        // The calls of the last assistant message, in order: the n-th tool message after it answers the n-th.
        var pending = new List<string>();
        var answered = 0;
        foreach (var message in Items(body, "messages"))
        {
            var role = Str(message, "role") ?? "user";
            var content = Str(message, "content") ?? string.Empty;
            if (role == "tool")
            {
                var (callId, text) = ToolResult(content);
                var name = Str(message, "tool_name") ?? (answered < pending.Count ? pending[answered] : null) ?? Str(message, "tool_call_id") ?? callId ?? string.Empty;
                answered++;
                results.Add(new(name, text, null));
                messages.Add(new("tool", $"← {text}"));
                continue;
            }

            var parts = new List<string> { content };
            var calls = Items(message, "tool_calls").Select(c => Get(c, "function")).ToList();
            if (calls.Count > 0)
            {
                (pending, answered) = ([.. calls.Select(f => Str(f, "name") ?? string.Empty)], 0);
                parts.AddRange(calls.Select(f => $"→ {Str(f, "name")}({Arguments(f)})"));
            }

            messages.Add(new(role, string.Join(Environment.NewLine, parts.Where(p => p.Length > 0))));
        }

        return new ModelRequest(messages, results);
    }

    /// <summary>
    /// OllamaSharp sends a tool's result as <c>{"CallId":"&lt;8 random hex&gt;","Result":…}</c> in the message's text, with an id
    /// it makes up on every run: the request is recorded and matched with that id as <see cref="VolatileCallId"/>.
    /// Any other text is left as it is.
    /// </summary>
    internal override JsonElement Normalize(JsonElement body)
    {
        if (!Items(body, "messages").Any(m => Str(m, "role") == "tool" && Str(m, "content") is { } c && MadeUpCallId().IsMatch(c)))
        {
            return body;
        }

        var node = JsonNode.Parse(body.GetRawText())!;
        foreach (var message in node["messages"]!.AsArray().OfType<JsonObject>())
        {
            if (message["role"] is JsonValue role && role.TryGetValue(out string? r) && r == "tool"
                && message["content"] is JsonValue content && content.TryGetValue(out string? text) && MadeUpCallId().IsMatch(text))
            {
                message["content"] = MadeUpCallId().Replace(text, $"{{\"CallId\":\"{VolatileCallId}\"", 1);
            }
        }

        return Element(node);
    }

    /// <summary>OllamaSharp's id in a tool result's text; not the placeholder it is recorded as.</summary>
    [GeneratedRegex(@"^\{""CallId"":""(?!\(volatile\)"")[^""\\]*""")]
    private static partial Regex MadeUpCallId();

    /// <summary>A tool message's text: OllamaSharp's <c>{"CallId","Result"}</c> read as its id and result, any other text as it is.</summary>
    private static (string? CallId, string Text) ToolResult(string content)
    {
        if (!content.StartsWith("{\"CallId\":", StringComparison.Ordinal))
        {
            return (null, content);
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            return root.TryGetProperty("Result", out var result) ? (Str(root, "CallId"), Text(result)) : (null, content);
        }
        catch (JsonException)
        {
            return (null, content);
        }
    }

    /// <summary>A call's arguments as JSON text: an object on Ollama's wire (a string from an OpenAI-minded client is taken as it is).</summary>
    private static string Arguments(JsonElement function) => Get(function, "arguments") switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString()!,
        { ValueKind: JsonValueKind.Object or JsonValueKind.Array } json => CompactJson.Text(json),
        _ => "{}",
    };

    private protected override ModelAnswer ReadBody(JsonElement body, string path)
    {
        var message = Get(body, "message");
        var text = Str(message, "content") ?? Str(body, "response") ?? string.Empty;
        var calls = Items(message, "tool_calls").Select(c => Get(c, "function"))
            .Select(f => new ModelToolCall(Str(f, "name") ?? string.Empty, Str(f, "name") ?? string.Empty, Arguments(f))).ToList();
        return new ModelAnswer(null, true, "ok", text, calls, Long(body, "prompt_eval_count"), Long(body, "eval_count"));
    }

    /// <summary>
    /// The lines of a stream as the one object Ollama answers with <c>"stream":false</c>: the text of every line, the tool
    /// calls of every line, the counts and reason of the <c>done</c> line. A stream with an <c>error</c> line failed (the
    /// server writes one mid-stream, with status 200): there is no answer.
    /// </summary>
    private protected override JsonElement? Assemble(IReadOnlyList<SseEvent> events, string path)
    {
        var text = new StringBuilder();
        var calls = new JsonArray();
        JsonElement done = default;
        string? model = null;
        foreach (var line in events.Select(e => e.Data).Where(d => d.ValueKind == JsonValueKind.Object))
        {
            if (line.TryGetProperty("error", out _))
            {
                return null;
            }

            model ??= Str(line, "model");
            var message = Get(line, "message");
            text.Append(Str(message, "content") ?? Str(line, "response"));
            foreach (var call in Items(message, "tool_calls"))
            {
                calls.Add(JsonNode.Parse(call.GetRawText()));
            }

            if (Get(line, "done").ValueKind == JsonValueKind.True)
            {
                done = line;
            }
        }

        return Element(new JsonObject
        {
            ["model"] = model,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text.ToString(), ["tool_calls"] = calls },
            ["done"] = done.ValueKind == JsonValueKind.Object,
            ["done_reason"] = Str(done, "done_reason"),
            ["prompt_eval_count"] = Long(done, "prompt_eval_count"),
            ["eval_count"] = Long(done, "eval_count"),
        });
    }

    internal override ScriptedRequest ReadScripted(string path, JsonElement body)
    {
        var messages = Get(body, "messages");
        var system = Str(body, "system") ?? Items(body, "messages").Where(m => Str(m, "role") == "system").Select(m => Str(m, "content")).FirstOrDefault();
        var prompt = ScriptedWire.EstimateTokens(messages.ValueKind == JsonValueKind.Array ? messages.GetRawText() : Str(body, "prompt") ?? string.Empty)
            + (body.TryGetProperty("tools", out var tools) ? ScriptedWire.EstimateTokens(tools.GetRawText()) : 0)
            + ScriptedWire.EstimateTokens(Str(body, "system") ?? string.Empty);
        // Ollama streams unless the request says "stream": false.
        return new ScriptedRequest(system, Str(body, "model") ?? "scripted", prompt, Get(body, "stream").ValueKind != JsonValueKind.False);
    }
}
