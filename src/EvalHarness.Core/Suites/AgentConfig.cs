using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Context;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Runtime;
using EvalHarness.Agents.Schema;
using EvalHarness.Agents.Tools;

namespace EvalHarness.Core.Suites;

/// <summary>The agent a suite evaluates, as loaded and validated: every option already built, so nothing fails mid-run.</summary>
public sealed record AgentConfig
{
    /// <summary>The model and its wire protocol.</summary>
    public required ModelRef Model { get; init; }

    /// <summary>
    /// The model whose price the agent's model is charged at (<c>price_as: gpt-4o-mini</c>): for an Azure OpenAI
    /// deployment, which the customer names, the model it runs; null to price the model by its own name.
    /// </summary>
    public string? PriceAs { get; init; }

    /// <summary>The model a call on <paramref name="called"/> is priced as: <see cref="PriceAs"/> for the agent's own model.</summary>
    internal ModelRef PricedAs(ModelRef called) => PriceAs is { } priceAs && called == Model ? Model with { Model = priceAs } : called;

    /// <summary>The system prompt text (already read from its file).</summary>
    public required string SystemPrompt { get; init; }

    /// <summary>Where the prompt came from: a path relative to the suite, or <c>inline</c>.</summary>
    public required string SystemPromptSource { get; init; }

    /// <summary>Qualified tool names, e.g. <c>orders.refund_order</c>: the only tools the agent sees.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>
    /// For a team's own agent, named values the agent reads as it likes (a prompt version, a temperature): the agent's
    /// <c>vars</c> with a variant's over them, given to every case under the scenario's.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Vars { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);

    /// <summary>Steps, tokens, cost and time.</summary>
    public AgentLimits Limits { get; init; } = new();

    /// <summary>Loop detection; null when turned off.</summary>
    public LoopDetectionOptions? LoopDetection { get; init; } = new();

    /// <summary>Output budget and injection neutralising.</summary>
    public ToolOutputPolicy ToolOutput { get; init; } = new();

    /// <summary>Whether dangerous arguments are refused.</summary>
    public bool Guard { get; init; } = true;

    /// <summary>Retries of model calls; null for none.</summary>
    public ResilienceOptions? Retry { get; init; } = new();

    /// <summary>The schema of the final answer; null for free text.</summary>
    public JsonSchemaValidator? OutputSchema { get; init; }

    /// <summary>Repairs allowed for a non-conforming answer.</summary>
    public int MaxRepairs { get; init; } = 2;

    /// <summary>The working window; null keeps everything.</summary>
    public ContextOptions? Context { get; init; }

    /// <summary>Whether model calls stream.</summary>
    public bool Streaming { get; init; }

    /// <summary>Tools that need a human's approval, by qualified name.</summary>
    public IReadOnlyDictionary<string, ApprovalRule> Approvals { get; init; } = new Dictionary<string, ApprovalRule>();

    /// <summary>Specialists the agent delegates to (as tools <c>ask_&lt;name&gt;</c>).</summary>
    public IReadOnlyList<SubAgentConfig> SubAgents { get; init; } = [];

    /// <summary>When set, the agent is a fixed pipeline of these sub-agents, in order.</summary>
    public IReadOnlyList<string> Pipeline { get; init; } = [];

    /// <summary>
    /// The tool servers the agent reaches (<c>mcp:</c>, <c>http:</c>): served to each case at a case-scoped address,
    /// recorded into its cassette, replayed from it.
    /// </summary>
    public IReadOnlyList<Cassettes.Tools.ToolServer> ToolServers { get; init; } = [];

    /// <summary>A team's own agent in place of the built-in runtime; null for the built-in runtime.</summary>
    public UnderTest.OwnAgent? Own { get; init; }
}
