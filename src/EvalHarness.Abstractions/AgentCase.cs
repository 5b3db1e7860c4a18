using System.Text.Json;
using Microsoft.Extensions.AI;

namespace EvalHarness;

/// <summary>What an agent under test is given for one case.</summary>
public sealed record AgentCase
{
    /// <summary>The case id, which is also its cassette id: <c>suite/variant/scenario/tN</c>.</summary>
    public required string CaseId { get; init; }

    /// <summary>The suite's name.</summary>
    public required string Suite { get; init; }

    /// <summary>The variant's name.</summary>
    public required string Variant { get; init; }

    /// <summary>The 1-based trial.</summary>
    public required int Trial { get; init; }

    /// <summary>The scenario's name.</summary>
    public required string Scenario { get; init; }

    /// <summary>The scenario's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The user's message: in a conversation, this turn's.</summary>
    public string Input => Messages.Count > 0 ? Messages[^1].Text : string.Empty;

    /// <summary>
    /// The conversation so far, ending with the user's message: one message for a single input; in a conversation the
    /// user's turns and the agent's replies, alternating, ending with this turn's.
    /// </summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>The 1-based turn of a conversation this call answers; 1 for a single input.</summary>
    public int Turn { get; init; } = 1;

    /// <summary>
    /// In a conversation, the state the agent reported at the end of the previous turn (<see cref="AgentReport.State"/>),
    /// so an agent that is a new process each turn can carry its world on; null on the first turn.
    /// </summary>
    public JsonElement? State { get; init; }

    /// <summary>
    /// Named values for agents that take more than a message: the suite's agent's <c>vars</c>, a variant's over them, and
    /// the scenario's over those.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Vars { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>
    /// The system prompt the suite gives the agent (its <c>system_prompt</c>, or the variant's), so variants compare prompts
    /// without a build each; null when the suite gives none and the agent uses its own.
    /// </summary>
    public string? SystemPrompt { get; init; }

    /// <summary>The model, <c>provider:model</c>, as the suite or variant names it; <see cref="ModelRef.ChosenByTheAgent"/> when a process agent's suite names none.</summary>
    public required ModelRef Model { get; init; }

    /// <summary>
    /// A client for <see cref="Model"/> already pointed at the case's cassette, through the provider's official SDK
    /// (plain and streaming). Wrap it as you would in production (<c>ChatClientBuilder</c>, function invocation).
    /// </summary>
    public required IChatClient ChatClient { get; init; }

    /// <summary>
    /// The address of the case's cassette, <c>http://127.0.0.1:&lt;port&gt;/c/&lt;cassette-id&gt;/</c>: the endpoint or base URL
    /// of every provider's client that appends its own path (Azure OpenAI's <c>AzureOpenAIClient</c>, Gemini, OllamaSharp's
    /// <c>OllamaApiClient</c>; keep the trailing slash).
    /// </summary>
    public required Uri CassetteBaseUrl { get; init; }

    /// <summary>
    /// The key each provider's client sends, by provider (<c>openai</c>, <c>anthropic</c>, <c>azure</c>, <c>gemini</c>):
    /// the real one when recording live, a placeholder in replay.
    /// </summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The case's MCP servers by the suite's names (<c>agent.mcp</c>): each a streamable HTTP endpoint that answers for
    /// the real server, recorded into the case's cassette and replayed from it. Connect with the MCP SDK:
    /// <c>await McpClient.CreateAsync(new HttpClientTransport(new() { Endpoint = agentCase.McpServers["inventory"] }))</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> McpServers { get; init; } = new Dictionary<string, Uri>();

    /// <summary>
    /// The case's HTTP APIs by the suite's names (<c>agent.http</c>): each a base URL (no trailing slash) to which the
    /// API's own paths and query are appended. <see cref="HttpClientFor"/> gives a client with it as its base address.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> HttpApis { get; init; } = new Dictionary<string, Uri>();

    /// <summary>
    /// A client for the HTTP API the suite names <paramref name="name"/>, whose <see cref="HttpClient.BaseAddress"/> is
    /// the case's address for it (ending in <c>/</c>, so relative paths such as <c>price?sku=A1</c> append). The caller
    /// disposes it.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The suite names no HTTP API <paramref name="name"/>.</exception>
    public HttpClient HttpClientFor(string name) => HttpApis.TryGetValue(name, out var address)
        ? new HttpClient { BaseAddress = new Uri(address.ToString().TrimEnd('/') + "/") }
        : throw new KeyNotFoundException($"The suite names no HTTP API '{name}' (agent.http); it names {(HttpApis.Count == 0 ? "none" : string.Join(", ", HttpApis.Keys))}.");

    /// <summary>The OpenAI-compatible base URL of the case's cassette, ending in <c>/v1</c>.</summary>
    public required Uri OpenAIBaseUrl { get; init; }

    /// <summary>The Anthropic base URL of the case's cassette (the SDK appends <c>/v1/messages</c>).</summary>
    public required Uri AnthropicBaseUrl { get; init; }

    /// <summary>The key to send with OpenAI-style requests: the real one when recording live, a placeholder in replay.</summary>
    public required string OpenAIApiKey { get; init; }

    /// <summary>The key to send with Anthropic requests: the real one when recording live, a placeholder in replay.</summary>
    public required string AnthropicApiKey { get; init; }

    /// <summary>The case's clock: in a replay it moves by the recorded latency of each model call.</summary>
    public required TimeProvider Time { get; init; }
}
