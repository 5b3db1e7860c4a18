using EvalHarness.Agents.Approvals;

namespace EvalHarness.Core.Suites;

/// <summary>One task for the agent and what a good run looks like.</summary>
/// <param name="Name">Unique within the suite; part of every cassette id.</param>
/// <param name="Tags">Free labels for filtering and aggregation.</param>
/// <param name="Input">The user's message.</param>
/// <param name="Expect">What the run must satisfy.</param>
/// <param name="Line">The line of the scenario in the suite file, for messages.</param>
public sealed record Scenario(string Name, IReadOnlyList<string> Tags, string Input, Expectations Expect, int Line)
{
    /// <summary>What the scripted human answers when a tool asks for approval, by qualified tool name (unlisted: pending).</summary>
    public IReadOnlyDictionary<string, ApprovalDecision> Approvals { get; init; } = new Dictionary<string, ApprovalDecision>();

    /// <summary>Decisions given after a pending approval, to resume the run from its checkpoint; empty to leave it waiting.</summary>
    public IReadOnlyDictionary<string, ApprovalDecision> Resume { get; init; } = new Dictionary<string, ApprovalDecision>();

    /// <summary>Whether the scenario must pass for a release, whatever the overall success rate (the gate reads it).</summary>
    public bool Critical { get; init; }

    /// <summary>Values an own agent gets with the input (<c>vars</c> in its input object), by name.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Vars { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();

    /// <summary>
    /// A scripted conversation: the user's turns in order (the first is <see cref="Scenario.Input"/>), each with what its
    /// reply must satisfy; empty for a single-input scenario. <see cref="Scenario.Expect"/> is checked at the end.
    /// </summary>
    public IReadOnlyList<ConversationTurn> Turns { get; init; } = [];

    /// <summary>
    /// A user played by a model; null when the user's turns are scripted (<see cref="Turns"/>) or there is one input.
    /// <see cref="Input"/>, when given, is its first message; empty when the simulator opens the conversation.
    /// </summary>
    public SimulatedUser? User { get; init; }

    /// <summary>Whether the scenario is a conversation (scripted turns or a simulated user) rather than one input.</summary>
    public bool IsConversation => Turns.Count > 0 || User is not null;

    /// <summary>
    /// A tool check without a model (<c>call: { mcp: inventory, tool: check_stock, args: … }</c>): the case calls one tool
    /// server directly, and its answer is what <c>expect</c> scores; null for a scenario the agent runs.
    /// </summary>
    public ToolCheck? Call { get; init; }

    /// <summary>Facts added to the agent's memory for this scenario only.</summary>
    public IReadOnlyList<string> Memories { get; init; } = [];
}
