using System.ClientModel.Primitives;
using EvalHarness.Agents.Providers;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Running;

/// <summary>
/// The one place a provider's name becomes a model client: the provider's official SDK (or, where none is served here,
/// the harness's own client over its REST API), pointed at one cassette. A protocol's wire format lives in its folder
/// under <c>EvalHarness.Cassettes/Protocols</c>; its client library is named here.
/// </summary>
internal static class ProviderClients
{
    /// <summary>What a client is made from.</summary>
    /// <param name="CassetteAddress">The cassette's address, <c>…/c/&lt;id&gt;/</c>.</param>
    /// <param name="Key">The key to send: the live one when recording, a placeholder in replay.</param>
    /// <param name="Model">The model (for Azure OpenAI, the deployment).</param>
    /// <param name="Http">The harness's HTTP client (in-process to the cassette server when it can be).</param>
    /// <param name="OpenAIPipeline">The OpenAI SDK's pipeline with a key, on <paramref name="Http"/>.</param>
    /// <param name="BuiltIn">For the built-in runtime, which has its own lean OpenAI adapter; else the official SDK's.</param>
    internal sealed record ClientRequest(Uri CassetteAddress, string Key, string Model, HttpClient Http, Func<string, ClientPipeline> OpenAIPipeline, bool BuiltIn);

    private static readonly Dictionary<string, Func<ClientRequest, IChatClient>> Factories = new(StringComparer.Ordinal)
    {
        ["openai"] = r => r.BuiltIn
            ? new OpenAIChatClient(new Uri(r.CassetteAddress, "v1"), r.OpenAIPipeline(r.Key), r.Model)
            : OpenAIChatClient.Official(new Uri(r.CassetteAddress, "v1"), r.OpenAIPipeline(r.Key), r.Model),
        ["anthropic"] = r => AnthropicChatClientFactory.Create(r.CassetteAddress, r.Key, r.Model, r.Http),
        ["azure"] = r => AzureOpenAIChatClientFactory.Create(r.CassetteAddress, r.Key, r.Model, r.Http),
        ["gemini"] = r => new GeminiChatClient(r.CassetteAddress, r.Key, r.Model, r.Http),
        ["ollama"] = r => OllamaChatClientFactory.Create(r.CassetteAddress, r.Model, r.Http),
    };

    /// <summary>A client for <paramref name="provider"/>'s model.</summary>
    public static IChatClient Create(string provider, ClientRequest request) =>
        Factories.TryGetValue(provider, out var create) ? create(request)
            : throw new InvalidOperationException($"No model client is registered for the provider '{provider}' (EvalHarness.Core/Running/ProviderClients.cs).");
}
