using System.Text.Json;
using EvalHarness.Agents.Runtime;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Approvals;

/// <summary>
/// The state of a run that stopped for a human decision, serialisable so the run can resume later, in
/// another process. The last message is the model's turn whose calls wait.
/// </summary>
public sealed record AgentCheckpoint
{
    /// <summary>The run's id, kept when it resumes.</summary>
    public required string RunId { get; init; }

    /// <summary>Steps used so far.</summary>
    public required int Step { get; init; }

    /// <summary>Tokens used so far.</summary>
    public required TokenUsage Usage { get; init; }

    /// <summary>Cost so far, when known.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Counters so far.</summary>
    public required IReadOnlyDictionary<string, int> Counters { get; init; }

    /// <summary>The conversation, ending with the model's pending turn.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Tool calls of earlier turns.</summary>
    public required IReadOnlyList<ToolCallRecord> ToolCalls { get; init; }

    /// <summary>The calls waiting for a decision.</summary>
    public required IReadOnlyList<ApprovalRequest> Pending { get; init; }

    /// <summary>Decisions already made for other calls of the same turn.</summary>
    public required IReadOnlyDictionary<string, ApprovalDecision> Decisions { get; init; }

    /// <summary>Results of side-effecting calls already made, by call signature, so a resumed run does not repeat them.</summary>
    public required IReadOnlyDictionary<string, string> SideEffects { get; init; }

    /// <summary>Repairs of the structured answer used so far.</summary>
    public int Repairs { get; init; }

    /// <summary>The checkpoint as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CheckpointJson.Options);

    /// <summary>Reads a checkpoint back.</summary>
    /// <exception cref="JsonException">The text is not a checkpoint.</exception>
    public static AgentCheckpoint FromJson(string json) =>
        JsonSerializer.Deserialize<AgentCheckpoint>(json, CheckpointJson.Options) ?? throw new JsonException("The checkpoint is empty.");

    private static class CheckpointJson
    {
        public static readonly JsonSerializerOptions Options = new(AIJsonUtilities.DefaultOptions)
        {
            WriteIndented = false,
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };
    }
}
