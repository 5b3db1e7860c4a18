using EvalHarness.Agents.Approvals;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>The mutable state of one run. Tool calls of a turn run concurrently, so shared totals take the lock.</summary>
internal sealed class RunState
{
    public RunState(string runId, List<ChatMessage> messages)
    {
        RunId = runId;
        Messages = messages;
    }

    public string RunId { get; }

    public List<ChatMessage> Messages { get; set; }

    public List<ToolCallRecord> ToolCalls { get; } = [];

    public int Step { get; set; }

    public Lock Sync { get; } = new();

    public TokenUsage Usage { get; set; }

    public decimal Cost { get; set; }

    public bool CostUnknown { get; set; }

    public RunCounters Counters { get; init; } = new();

    public Dictionary<string, string> SideEffects { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Side-effecting calls running now, by signature, so a duplicate in the same turn waits for the first.</summary>
    public Dictionary<string, Task<(string Text, bool Failed)>> InFlight { get; } = new(StringComparer.Ordinal);

    public int Repairs { get; set; }

    /// <summary>Tool calls the specialists made during the current turn, added to the run's calls before the turn's own.</summary>
    public List<ToolCallRecord> Delegated { get; } = [];

    public string LastText { get; set; } = string.Empty;

    public System.Text.Json.JsonElement? StructuredOutput { get; set; }

    /// <summary>Adds a model call's tokens and cost.</summary>
    public void Charge(TokenUsage usage, decimal? cost)
    {
        lock (Sync)
        {
            Usage += usage;
            if (cost is { } c)
            {
                Cost += c;
            }
            else
            {
                CostUnknown = true;
            }
        }
    }

    public static RunState From(AgentCheckpoint checkpoint) => new(checkpoint.RunId, [.. checkpoint.Messages])
    {
        Step = checkpoint.Step,
        Usage = checkpoint.Usage,
        Cost = checkpoint.CostUsd ?? 0,
        CostUnknown = checkpoint.CostUsd is null,
        Counters = RunCounters.From(checkpoint.Counters),
        SideEffects = new Dictionary<string, string>(checkpoint.SideEffects, StringComparer.Ordinal),
        Repairs = checkpoint.Repairs,
    };
}
