using System.Text.Json;

namespace EvalHarness;

/// <summary>
/// What an agent under test says about its run. Only <see cref="Output"/> is required: what is left null the
/// harness derives from the case's recorded model traffic (tool calls and their results, steps, tokens, cost,
/// the transcript, model-call spans).
/// </summary>
public sealed record AgentReport
{
    /// <summary>The final answer.</summary>
    public required string Output { get; init; }

    /// <summary>
    /// How the run ended, as suites write it: <c>completed</c> (the default), <c>max_steps</c>, <c>loop_detected</c>,
    /// <c>budget_exceeded</c>, <c>timed_out</c>, <c>awaiting_approval</c>, <c>failed</c> or <c>cancelled</c>.
    /// </summary>
    public string? Outcome { get; init; }

    /// <summary>Why the run ended that way, in words.</summary>
    public string? Reason { get; init; }

    /// <summary>The tool calls in order, with the names the agent gave its tools; null to derive them from the traffic.</summary>
    public IReadOnlyList<ToolCallResult>? ToolCalls { get; init; }

    /// <summary>Model calls made; null to count the recorded ones.</summary>
    public int? Steps { get; init; }

    /// <summary>Input tokens; null to sum the recorded usage.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Output tokens; null to sum the recorded usage.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Cost in USD; null to price the recorded usage.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Named counts of what happened (retries, repairs …), for <c>expect.counters</c>.</summary>
    public IReadOnlyDictionary<string, int>? Counters { get; init; }

    /// <summary>
    /// The end state, as a JSON object, for <c>expect.state</c>: a path such as <c>orders.A100.status</c> is looked up
    /// as a key of that name first, then by walking nested objects (<c>items[0].id</c> indexes an array, and a last
    /// segment <c>count</c> counts an array or object that has no such key).
    /// </summary>
    public JsonElement? State { get; init; }

    /// <summary>The conversation; null to rebuild it from the last recorded request and its answer.</summary>
    public IReadOnlyList<TranscriptEntry>? Transcript { get; init; }

    /// <summary>The span tree; null to build model-call and tool spans from the recorded traffic.</summary>
    public IReadOnlyList<TraceSpan>? Trace { get; init; }

    /// <summary>In a conversation, each user turn and its reply (set by the harness, which holds the conversation); null otherwise.</summary>
    internal IReadOnlyList<TurnReport>? Turns { get; init; }

    /// <summary>How a conversation ended (<c>user</c>, <c>script</c>, <c>max_turns</c> or <c>agent</c>); null for one input.</summary>
    internal string? EndedBy { get; init; }

    /// <summary>A simulated user's last message, with its stop marker, which the agent was not sent.</summary>
    internal string? Closing { get; init; }

    /// <summary>What the agent printed or logged along the way, shown with the case in the report.</summary>
    public string? Log { get; init; }

    /// <summary>Set when the case could not be run to an answer (the process crashed, printed no answer …): the case is an error.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the report says everything itself (the built-in runtime), so nothing is derived from traffic.</summary>
    internal bool IsComplete { get; init; }

    /// <summary>A report of just the final answer.</summary>
    public static AgentReport FromOutput(string output) => new() { Output = output ?? string.Empty };

    /// <summary>A report of just the final answer, so an agent may <c>return response.Text;</c>.</summary>
    public static implicit operator AgentReport(string output) => FromOutput(output);

    /// <summary>A report of a case that could not be run to an answer.</summary>
    public static AgentReport Failed(string error, string? log = null) =>
        new() { Output = string.Empty, Outcome = "failed", Reason = "The agent gave no answer.", Error = error, Log = log };
}
