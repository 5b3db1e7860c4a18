using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>Everything one agent run produced: the outcome and the evidence for it.</summary>
public sealed record AgentRun
{
    /// <summary>How the run ended.</summary>
    public required AgentOutcome Outcome { get; init; }

    /// <summary>Why it ended that way, in words.</summary>
    public required string Reason { get; init; }

    /// <summary>The model's last text, empty when it gave none.</summary>
    public required string FinalText { get; init; }

    /// <summary>The whole conversation, system prompt first.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Every tool call, in the order the model asked for them.</summary>
    public required IReadOnlyList<ToolCallRecord> ToolCalls { get; init; }

    /// <summary>How many model calls the run made.</summary>
    public required int Steps { get; init; }

    /// <summary>Tokens summed over all model calls.</summary>
    public required TokenUsage Usage { get; init; }
}
