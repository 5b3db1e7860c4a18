using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using static EvalHarness.Cassettes.Protocols.JsonRead;

namespace EvalHarness.Cassettes.Protocols.Gemini;

/// <summary>
/// Google Gemini's native API (<c>v1beta/models/&lt;model&gt;:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>,
/// or under <c>v1/</c> as <c>@google/genai</c> 3.x calls it): the model in the path, <c>systemInstruction</c>,
/// <c>contents[].parts[]</c> (<c>text</c>, <c>functionCall</c>, <c>functionResponse</c>), <c>usageMetadata</c>, and
/// streams of whole <c>GenerateContentResponse</c> chunks with no event names and no <c>[DONE]</c>.
/// </summary>
/// <remarks>
/// The Developer API gives a function call no id: a call without one is known by its function's name, which its
/// <c>functionResponse</c> names too, so a result still finds its call.
/// </remarks>
internal sealed partial class GeminiProtocol : WireProtocol
{
    private const string Generate = ":generateContent";
    private const string StreamGenerate = ":streamGenerateContent";

    public static GeminiProtocol Instance { get; } = new();

    public override string Name => "gemini";

    public override string? LiveUrl => "https://generativelanguage.googleapis.com/";

    public override string? ApiKeyVariable => "GEMINI_API_KEY";

    /// <summary>What <c>@google/genai</c> reads its base URL from; it appends <c>v1beta/models/…</c> itself.</summary>
    /// <summary>@google/genai reads <c>GOOGLE_API_KEY</c> before <c>GEMINI_API_KEY</c>.</summary>
    public override IReadOnlyList<string> KeyVariables => ["GEMINI_API_KEY", "GOOGLE_API_KEY"];

    public override string BaseUrlVariable => "GOOGLE_GEMINI_BASE_URL";

    public override IReadOnlySet<string> VolatilePaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "$.contents[*].parts[*].functionCall.id",
        "$.contents[*].parts[*].functionResponse.id",
        "$.contents[*].parts[*].thoughtSignature",
    };

    internal override IReadOnlyList<ProtocolPath> Paths { get; } =
    [
        new($"v1beta/models/*{Generate}"), new($"v1beta/models/*{StreamGenerate}"),
        new($"v1/models/*{Generate}"), new($"v1/models/*{StreamGenerate}"),
    ];

    internal override IReadOnlyList<string> ScriptedPaths => [.. Paths.Select(p => p.Template)];

    internal override int? ConversationLength(JsonElement body) =>
        Get(body, "contents") is { ValueKind: JsonValueKind.Array } contents ? contents.GetArrayLength() : null;

    /// <summary>The model of <c>…/models/&lt;model&gt;:generateContent</c> (with or without its query).</summary>
    private protected override string? ModelOf(string path)
    {
        var last = path.Split('?', 2)[0].Split('/')[^1];
        var colon = last.LastIndexOf(':');
        return colon > 0 ? last[..colon] : null;
    }

    /// <summary>Whether <paramref name="path"/> asks for a stream (<c>:streamGenerateContent</c>).</summary>
    private static bool IsStream(string path) => path.Split('?', 2)[0].EndsWith(StreamGenerate, StringComparison.Ordinal);

    internal override string ConversationProperty => "contents";

    /// <summary>@google/genai drops an event that has an <c>event:</c> line: an error it must see has none.</summary>
    internal override string? StreamErrorEvent => null;

    internal override IReadOnlyList<string> SystemPaths => ["$.systemInstruction"];

    /// <summary>A <c>functionResponse</c> part answers a call by its id, else by the function's name.</summary>
    internal override string? ToolResultCallId(JsonElement conversation, int index, JsonElement? block) =>
        block is { } part && Get(part, "functionResponse") is { ValueKind: JsonValueKind.Object } response ? Str(response, "id") ?? Str(response, "name") : null;

    internal override string? ToolNameOf(JsonElement message, string callId) =>
        Items(message, "parts").Select(p => Get(p, "functionCall")).Where(c => c.ValueKind == JsonValueKind.Object && (Str(c, "id") ?? Str(c, "name")) == callId)
            .Select(c => Str(c, "name")).FirstOrDefault();

    public override ModelRequest ReadRequest(JsonElement body)
    {
        var messages = new List<ModelMessage>();
        var results = new List<ModelToolResult>();
        if (Get(body, "systemInstruction") is { ValueKind: JsonValueKind.Object } system)
        {
            messages.Add(new("system", PartsText(system)));
        }
        else if (Str(body, "systemInstruction") is { } plain)
        {
            messages.Add(new("system", plain));
        }

        foreach (var content in Items(body, "contents"))
        {
            var answers = Items(content, "parts").Select(p => Get(p, "functionResponse")).Where(r => r.ValueKind == JsonValueKind.Object).ToList();
            foreach (var answer in answers)
            {
                var name = Str(answer, "name") ?? string.Empty;
                results.Add(new(Str(answer, "id") ?? name, ResponseText(Get(answer, "response")), IsError(Get(answer, "response"))));
            }

            var role = Str(content, "role") switch
            {
                "model" => "assistant",
                _ when answers.Count > 0 => "tool",
                _ => "user",
            };
            messages.Add(new(role, PartsText(content)));
        }

        return new ModelRequest(messages, results);
    }

    /// <summary>The parts of a content as text: text as it is, calls <c>→ name(args)</c>, results <c>← response</c>; thoughts left out.</summary>
    private static string PartsText(JsonElement content) => string.Join(Environment.NewLine, Items(content, "parts").Select(part =>
        Get(part, "thought").ValueKind == JsonValueKind.True ? string.Empty
        : Str(part, "text") is { } text ? text
        : Get(part, "functionCall") is { ValueKind: JsonValueKind.Object } call ? $"→ {Str(call, "name")}({Arguments(call)})"
        : Get(part, "functionResponse") is { ValueKind: JsonValueKind.Object } response ? $"← {ResponseText(Get(response, "response"))}"
        : string.Empty).Where(t => t.Length > 0));

    private static string Arguments(JsonElement call) => Get(call, "args") is { ValueKind: JsonValueKind.Object } args ? CompactJson.Text(args) : "{}";

    /// <summary>
    /// A function's response as text: Gemini's convention is <c>{"output": …}</c> or <c>{"error": …}</c> (the SDK
    /// examples also use <c>result</c>); a response with one of those alone is its value, any other its JSON.
    /// </summary>
    private static string ResponseText(JsonElement response)
    {
        if (response.ValueKind == JsonValueKind.Object && response.EnumerateObject().ToList() is [{ Name: "output" or "result" or "error" } only])
        {
            return only.Value.ValueKind == JsonValueKind.String ? only.Value.GetString()! : CompactJson.Text(only.Value);
        }

        return response.ValueKind == JsonValueKind.Object ? CompactJson.Text(response) : Text(response);
    }

    /// <summary>True for a response that is Gemini's <c>{"error": …}</c> convention and nothing else; else the protocol says nothing.</summary>
    private static bool? IsError(JsonElement response) =>
        response.ValueKind == JsonValueKind.Object && response.TryGetProperty("error", out _) && !response.TryGetProperty("output", out _) ? true : null;

    private protected override ModelAnswer ReadBody(JsonElement body, string path)
    {
        var text = new StringBuilder();
        var calls = new List<ModelToolCall>();
        var candidate = Items(body, "candidates").FirstOrDefault();
        foreach (var part in Items(Get(candidate, "content"), "parts"))
        {
            if (Get(part, "functionCall") is { ValueKind: JsonValueKind.Object } call)
            {
                var name = Str(call, "name") ?? string.Empty;
                calls.Add(new ModelToolCall(Str(call, "id") ?? name, name, Arguments(call)));
            }
            else if (Get(part, "thought").ValueKind != JsonValueKind.True)
            {
                text.Append(Str(part, "text"));
            }
        }

        var usage = Get(body, "usageMetadata");
        return new ModelAnswer(null, true, "ok", text.ToString(), calls, Long(usage, "promptTokenCount"),
            Long(usage, "candidatesTokenCount") + Long(usage, "thoughtsTokenCount"));
    }

    /// <summary>
    /// The chunks of a stream as one response: their parts in order (text run together, each call whole, as Gemini
    /// streams a call in one chunk), the last usage (each chunk's is the running total) and the last finish reason.
    /// </summary>
    private protected override JsonElement? Assemble(IReadOnlyList<SseEvent> events, string path)
    {
        var parts = new JsonArray();
        var text = new StringBuilder();
        JsonNode? usage = null;
        string? model = null, finish = null;
        void FlushText()
        {
            if (text.Length > 0)
            {
                parts.Add(new JsonObject { ["text"] = text.ToString() });
                text.Clear();
            }
        }

        foreach (var data in events.Select(e => e.Data).Where(d => d.ValueKind == JsonValueKind.Object))
        {
            model = Str(data, "modelVersion") ?? model;
            if (Get(data, "usageMetadata") is { ValueKind: JsonValueKind.Object } u)
            {
                usage = JsonNode.Parse(u.GetRawText());
            }

            var candidate = Items(data, "candidates").FirstOrDefault();
            finish = Str(candidate, "finishReason") ?? finish;
            foreach (var part in Items(Get(candidate, "content"), "parts"))
            {
                if (Str(part, "text") is { } piece && Get(part, "thought").ValueKind != JsonValueKind.True && !part.TryGetProperty("functionCall", out _))
                {
                    text.Append(piece);
                    continue;
                }

                FlushText();
                parts.Add(JsonNode.Parse(part.GetRawText()));
            }
        }

        FlushText();
        return Element(new JsonObject
        {
            ["candidates"] = new JsonArray
            {
                new JsonObject { ["content"] = new JsonObject { ["parts"] = parts, ["role"] = "model" }, ["finishReason"] = finish, ["index"] = 0 },
            },
            ["usageMetadata"] = usage,
            ["modelVersion"] = model,
        });
    }
}
