using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;

namespace EvalHarness.Cassettes.Protocols;

/// <summary>
/// Everything a provider's wire format means, in one place: the paths its requests take, which request fields are
/// volatile and which headers a cassette keeps, how a recorded call's answer, usage and tool calls are read (plain or
/// streamed), where its live endpoint and key are, and how the scripted upstream answers in it. Each protocol is one
/// folder under <c>Protocols/</c>; everything else asks <see cref="WireProtocols"/>.
/// </summary>
public abstract class WireProtocol
{
    private protected WireProtocol()
    {
    }

    /// <summary>The protocol's name: a cassette's <c>provider</c>, a model's prefix (<c>openai:gpt-4o-mini</c>), a price's key.</summary>
    public abstract string Name { get; }

    /// <summary>Where the protocol's live API is (for <c>--upstream live</c>), or null for one that has no single address.</summary>
    public abstract string? LiveUrl { get; }

    /// <summary>The environment variable a live key is read from, or null for a protocol that needs none (a local server).</summary>
    public abstract string? ApiKeyVariable { get; }

    /// <summary>
    /// Every environment variable the protocol's official clients read a key from, <see cref="ApiKeyVariable"/> first:
    /// a process agent gets the key (or the replay's placeholder) in each, so a key in the user's own shell under
    /// another name (Gemini's SDK prefers <c>GOOGLE_API_KEY</c>) is not sent instead.
    /// </summary>
    public virtual IReadOnlyList<string> KeyVariables => ApiKeyVariable is { } variable ? [variable] : [];

    /// <summary>
    /// The environment variable a process agent's client reads its base URL from (<c>OPENAI_BASE_URL</c>): the harness sets
    /// it to the case's cassette address and <see cref="BaseUrlPath"/>.
    /// </summary>
    public abstract string BaseUrlVariable { get; }

    /// <summary>What follows the cassette's address in the base URL the protocol's clients take (<c>v1</c> for OpenAI's), or empty.</summary>
    public virtual string BaseUrlPath => string.Empty;

    /// <summary>The base URL of this protocol's clients for the cassette at <paramref name="cassetteAddress"/> (<c>…/c/&lt;id&gt;/</c>).</summary>
    public Uri BaseUrlFor(Uri cassetteAddress) => BaseUrlPath.Length == 0 ? cassetteAddress : new Uri(cassetteAddress, BaseUrlPath);

    /// <summary>
    /// Request body paths that matching always ignores: values the provider made up (tool-call ids) that differ when a
    /// conversation is recorded again. <c>[*]</c> stands for any array index.
    /// </summary>
    public virtual IReadOnlySet<string> VolatilePaths { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The paths its requests take after the cassette id.</summary>
    internal abstract IReadOnlyList<ProtocolPath> Paths { get; }

    /// <summary>
    /// A request body as it is matched and recorded: values a client makes up afresh on every run where
    /// <see cref="VolatilePaths"/> cannot reach them (inside a JSON text, as OllamaSharp's tool-result <c>CallId</c>), written
    /// one fixed way. The body goes upstream as the client sent it. By default, unchanged.
    /// </summary>
    internal virtual JsonElement Normalize(JsonElement body) => body;

    /// <summary>Request headers a cassette keeps besides <c>content-type</c> (versions, betas; never a credential).</summary>
    internal virtual IReadOnlyCollection<string> RecordedRequestHeaders => [];

    /// <summary>How many messages a request's conversation holds (how a client that starts over is told from one that goes on), or null.</summary>
    internal virtual int? ConversationLength(JsonElement body) =>
        JsonRead.Get(body, ConversationProperty) is { ValueKind: JsonValueKind.Array } messages ? messages.GetArrayLength() : null;

    /// <summary>The property of a request body that holds its conversation (<c>messages</c>; Gemini's <c>contents</c>).</summary>
    internal virtual string ConversationProperty => "messages";

    /// <summary>Paths of a request body that are the system prompt, besides a message whose role is <c>system</c>.</summary>
    internal virtual IReadOnlyList<string> SystemPaths => [];

    /// <summary>
    /// The id of the call message <paramref name="index"/> of <paramref name="conversation"/> (or one of its blocks, <paramref name="block"/>) answers, when it is a tool's result;
    /// else null. A protocol whose calls have no ids answers with the tool's name, which <see cref="ToolNameOf"/> then finds.
    /// </summary>
    internal virtual string? ToolResultCallId(JsonElement conversation, int index, JsonElement? block) => null;

    /// <summary>The name of the tool <paramref name="message"/> called with <paramref name="callId"/>, or null.</summary>
    internal virtual string? ToolNameOf(JsonElement message, string callId) => null;

    /// <summary>Reads what a recorded call answered: its text, tool calls and usage, from its body or its stream.</summary>
    public ModelAnswer ReadAnswer(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var request = interaction.Request;
        var requested = JsonRead.Str(request.Body, "model") ?? ModelOf(request.Path);
        var response = interaction.Response;
        var ok = response.Status is >= 200 and < 300 && response.Fault is null;
        var status = response.Fault ?? $"HTTP {response.Status}";
        var path = request.Path.Split('?', 2)[0];
        var body = !ok ? null : response.Events is { } events ? Assemble(events, path) : response.Body;
        if (body is not { ValueKind: JsonValueKind.Object } answer)
        {
            return new ModelAnswer(requested, false, status, string.Empty, [], 0, 0);
        }

        return ReadBody(answer, path) with { Model = requested ?? JsonRead.Str(answer, "model") ?? ModelOf(request.Path), Ok = true, Status = "ok" };
    }

    /// <summary>Reads what a recorded request sent: the conversation and the tool results in it.</summary>
    public abstract ModelRequest ReadRequest(JsonElement body);

    /// <summary>The model a request's path names (Azure's deployment, Gemini's model), for a protocol whose body does not.</summary>
    private protected virtual string? ModelOf(string path) => null;

    /// <summary>Reads a plain (or assembled) answer body; <see cref="ReadAnswer"/> fills in the model and the status.</summary>
    private protected abstract ModelAnswer ReadBody(JsonElement body, string path);

    /// <summary>A streamed answer put back together as the one body it would have been without streaming.</summary>
    private protected abstract JsonElement? Assemble(IReadOnlyList<SseEvent> events, string path);

    /// <summary>The paths the scripted upstream answers in this protocol.</summary>
    internal abstract IReadOnlyList<string> ScriptedPaths { get; }

    /// <summary>Whether the scripted upstream answers <paramref name="path"/> (with its query) in this protocol.</summary>
    internal bool CanScript(string path)
    {
        var segments = path.Split('?', 2)[0].Split('/');
        return ScriptedPaths.Any(p => new ProtocolPath(p).Matches(segments, 0));
    }

    /// <summary>The media type of the protocol's streams: server-sent events, or lines of JSON.</summary>
    internal virtual string StreamMediaType => StreamFraming.EventStream;

    /// <summary>What the scripted upstream needs to know of a request: its conversation key, model and size.</summary>
    internal abstract ScriptedRequest ReadScripted(string path, JsonElement body);

    /// <summary>A scripted answer's body.</summary>
    internal abstract byte[] ScriptedAnswer(ScriptedReply reply);

    /// <summary>A scripted answer's stream events (name, data), in order.</summary>
    internal abstract List<(string? Event, string Data)> ScriptedEvents(ScriptedReply reply);

    /// <summary>
    /// The body of an answer the cassette server gives instead of a recorded one (a miss, a refused request), in a shape
    /// the protocol's clients show: by default <c>{"type":"error","error":{"type","code","message"}}</c>, which the
    /// OpenAI and Anthropic SDKs read. Status and <c>x-should-retry: false</c> are the server's.
    /// </summary>
    internal virtual void WriteHarnessError(System.Text.Json.Utf8JsonWriter writer, int status, string type, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteStartObject("error");
        writer.WriteString("type", type);
        writer.WriteString("code", type);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The status the cassette server's own error of <paramref name="status"/> is answered with: by default that one.</summary>
    internal virtual int HarnessErrorStatus(int status) => status;

    /// <summary>
    /// The event name of an error the cassette server adds to a stream it cannot record (OpenAI's and Anthropic's SDKs
    /// raise an <c>error</c> event), or null for a protocol whose clients drop named events (Gemini's).
    /// </summary>
    internal virtual string? StreamErrorEvent => "error";

    /// <summary>The protocol's error body for <paramref name="status"/>.</summary>
    internal abstract byte[] ErrorBody(int status, string message);

    /// <summary>A 200 answer whose JSON is cut off after a few characters of text (the <c>malformed</c> fault).</summary>
    internal abstract string MalformedAnswer(ScriptedReply reply);

    /// <inheritdoc />
    public override string ToString() => Name;
}
