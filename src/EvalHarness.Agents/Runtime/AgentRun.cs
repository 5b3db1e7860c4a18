using System.Text.Json;
using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Observability;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>Everything one agent run produced: the outcome and the evidence for it.</summary>
public sealed record AgentRun
{
    /// <summary>The run's id, on every span.</summary>
    public required string RunId { get; init; }

    /// <summary>How the run ended.</summary>
    public required AgentOutcome Outcome { get; init; }

    /// <summary>Why it ended that way, in words.</summary>
    public required string Reason { get; init; }

    /// <summary>The model's last text, empty when it gave none.</summary>
    public required string FinalText { get; init; }

    /// <summary>The final answer parsed as JSON, when the agent requires structured output and it conformed.</summary>
    public JsonElement? StructuredOutput { get; init; }

    /// <summary>The whole conversation, system prompt first.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Every tool call, in the order the model asked for them.</summary>
    public required IReadOnlyList<ToolCallRecord> ToolCalls { get; init; }

    /// <summary>How many steps (model turns) the run took.</summary>
    public required int Steps { get; init; }

    /// <summary>Tokens summed over all model calls: summaries, repairs and sub-agents included.</summary>
    public required TokenUsage Usage { get; init; }

    /// <summary>Cost in USD over all model calls, or null when a model's price is unknown or no prices were given.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>What happened, counted: retries, rejected tool calls, repairs and more (see <see cref="RunCounters"/>).</summary>
    public IReadOnlyDictionary<string, int> Counters { get; init; } = new Dictionary<string, int>();

    /// <summary>The span tree: run, steps, model calls, tool calls, sub-agents.</summary>
    public IReadOnlyList<TraceSpan> Trace { get; init; } = [];

    /// <summary>For <see cref="AgentOutcome.AwaitingApproval"/>: the state to resume from.</summary>
    public AgentCheckpoint? Checkpoint { get; init; }
}
