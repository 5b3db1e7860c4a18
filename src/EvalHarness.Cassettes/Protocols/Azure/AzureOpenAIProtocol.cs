using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols.OpenAI;
using EvalHarness.Cassettes.Scripted;

namespace EvalHarness.Cassettes.Protocols.Azure;

/// <summary>
/// Azure OpenAI: OpenAI's formats (Chat Completions, Responses, embeddings) on Azure's paths. A deployment, which the
/// customer names, stands in the path for the model (<c>openai/deployments/&lt;deployment&gt;/chat/completions?api-version=…</c>);
/// the Responses API and the newer "v1" form (<c>openai/v1/…</c>) name it in the body's <c>model</c>. The key travels in
/// the <c>api-key</c> header, which is a credential and never written. Bodies and streams are read as OpenAI's are.
/// </summary>
internal sealed partial class AzureOpenAIProtocol : WireProtocol
{
    /// <summary>The header an Azure OpenAI client sends its key in: what tells the <c>openai/v1/…</c> form from a cassette id ending in <c>openai</c>.</summary>
    private const string KeyHeader = "api-key";

    public static AzureOpenAIProtocol Instance { get; } = new();

    public override string Name => "azure";

    /// <summary>None: every Azure resource has its own address (<c>https://&lt;resource&gt;.openai.azure.com/</c>), given as <c>--upstream</c>.</summary>
    public override string? LiveUrl => null;

    public override string? ApiKeyVariable => "AZURE_OPENAI_API_KEY";

    /// <summary>The resource's endpoint, with no path: the clients append <c>openai/…</c> themselves.</summary>
    public override string BaseUrlVariable => "AZURE_OPENAI_ENDPOINT";

    public override IReadOnlySet<string> VolatilePaths => OpenAIProtocol.Instance.VolatilePaths;

    internal override IReadOnlyList<ProtocolPath> Paths { get; } =
    [
        new("openai/deployments/*/chat/completions"), new("openai/deployments/*/embeddings"), new("openai/responses"),
        new("openai/v1/chat/completions", KeyHeader), new("openai/v1/responses", KeyHeader),
    ];

    internal override IReadOnlyList<string> ScriptedPaths => ["openai/deployments/*/chat/completions", "openai/v1/chat/completions"];

    internal override IReadOnlyList<string> SystemPaths => OpenAIProtocol.Instance.SystemPaths;

    internal override string? ToolResultCallId(JsonElement conversation, int index, JsonElement? block) => OpenAIProtocol.Instance.ToolResultCallId(conversation, index, block);

    internal override string? ToolNameOf(JsonElement message, string callId) => OpenAIProtocol.Instance.ToolNameOf(message, callId);

    public override ModelRequest ReadRequest(JsonElement body) => OpenAIProtocol.Instance.ReadRequest(body);

    /// <summary>The deployment a <c>openai/deployments/&lt;deployment&gt;/…</c> path names; null for the paths that name it in the body.</summary>
    private protected override string? ModelOf(string path) => Deployment(path);

    private protected override ModelAnswer ReadBody(JsonElement body, string path) => OpenAIProtocol.Instance.ReadOpenAIBody(body, path);

    private protected override JsonElement? Assemble(IReadOnlyList<SseEvent> events, string path) => OpenAIProtocol.Instance.AssembleOpenAI(events, path);

    internal override ScriptedRequest ReadScripted(string path, JsonElement body)
    {
        // Azure answers for the deployment in the path, whatever model the body names.
        var asked = OpenAIProtocol.Instance.ReadScripted(path, body);
        return Deployment(path) is { } deployment ? asked with { Model = deployment } : asked;
    }

    private static string? Deployment(string path) =>
        path.Split('?', 2)[0].Split('/', StringSplitOptions.RemoveEmptyEntries) is ["openai", "deployments", var deployment, ..] ? deployment : null;
}
