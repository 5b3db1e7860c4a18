namespace EvalHarness.Core.Results;

/// <summary>The result of one case: a scenario run once under one variant.</summary>
public sealed record CaseResult
{
    /// <summary>The suite.</summary>
    public required string Suite { get; init; }

    /// <summary>The case's position in the suite's full list of cases (variant, scenario, trial).</summary>
    public int Index { get; init; }

    /// <summary>The variant.</summary>
    public required string Variant { get; init; }

    /// <summary>The scenario.</summary>
    public required string Scenario { get; init; }

    /// <summary>The 1-based trial.</summary>
    public required int Trial { get; init; }

    /// <summary>The cassette that holds the case's model traffic.</summary>
    public required string CassetteId { get; init; }

    /// <summary>The scenario's tags.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>Whether the scenario is marked <c>critical: true</c>.</summary>
    public bool Critical { get; init; }

    /// <summary>The model, <c>provider:model</c>.</summary>
    public required string Model { get; init; }

    /// <summary>Whether every assertion held and no error occurred.</summary>
    public required bool Passed { get; init; }

    /// <summary>How the agent run ended: one of <see cref="Outcomes.Names"/> (<c>completed</c>, <c>max_steps</c> …).</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(OutcomeJson))]
    public required string Outcome { get; init; }

    /// <summary>Why it ended that way.</summary>
    public required string OutcomeReason { get; init; }

    /// <summary>The agent's final answer.</summary>
    public required string FinalOutput { get; init; }

    /// <summary>Model calls made.</summary>
    public required int Steps { get; init; }

    /// <summary>Tool calls made.</summary>
    public required int ToolCallCount { get; init; }

    /// <summary>Tool calls that failed or named an unknown tool.</summary>
    public required int ToolErrors { get; init; }

    /// <summary>Input tokens.</summary>
    public required long InputTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public required long OutputTokens { get; init; }

    /// <summary>Cost in USD, or null when the model's price is unknown (written as null: the property is required when read back).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public required decimal? CostUsd { get; init; }

    /// <summary>The model's latency as recorded in the cassette, summed over calls.</summary>
    public required double ModelLatencyMs { get; init; }

    /// <summary>Time the agent spent outside model calls in this run (tools, the loop); it varies run to run.</summary>
    public required double HarnessMs { get; init; }

    /// <summary>
    /// The run's latency on its clock: live, model latency plus the agent's own time; in a replay, the recorded
    /// model latency alone, so it is the same on every replay (the harness time of this machine is <see cref="HarnessMs"/>).
    /// </summary>
    public required double LatencyMs { get; init; }

    /// <summary>The assertions' verdicts.</summary>
    public required IReadOnlyList<AssertionVerdict> Verdicts { get; init; }

    /// <summary>The tool calls in order.</summary>
    public required IReadOnlyList<ToolCallResult> ToolCalls { get; init; }

    /// <summary>
    /// The calls the agent made to its tool servers, read from their recorded traffic (<c>inventory.check_stock</c>,
    /// <c>prices GET /price</c>), with what they answered; null when it has none. <see cref="ToolCallResult.Agent"/>
    /// names the server (<c>mcp:inventory</c>).
    /// </summary>
    public IReadOnlyList<ToolCallResult>? ServerCalls { get; init; }

    /// <summary>The conversation.</summary>
    public required IReadOnlyList<TranscriptEntry> Transcript { get; init; }

    /// <summary>What happened, counted: retries, refused calls, repairs, summaries and more.</summary>
    public IReadOnlyDictionary<string, int> Counters { get; init; } = new Dictionary<string, int>();

    /// <summary>The run's span tree.</summary>
    public IReadOnlyList<TraceSpan> Trace { get; init; } = [];

    /// <summary>What a team's own agent printed or logged (a process agent's output besides its answer), or null.</summary>
    public string? Log { get; init; }

    /// <summary>An error that kept the case from being evaluated (a cassette miss), or null.</summary>
    public string? Error { get; init; }

    /// <summary>A conversation's turns and how it ended; null for a single input.</summary>
    public DialogueResult? Dialogue { get; init; }
}

/// <summary>A conversation as it went: each user turn and the agent's reply, and how it ended.</summary>
/// <param name="Turns">The turns in order.</param>
/// <param name="EndedBy"><c>user</c> (a simulated user's stop marker), <c>script</c>, <c>max_turns</c> or <c>agent</c>.</param>
/// <param name="Closing">A simulated user's last message, with its stop marker, which the agent was not sent; or null.</param>
public sealed record DialogueResult(IReadOnlyList<TurnResult> Turns, string EndedBy, string? Closing)
{
    /// <summary>Model calls per user turn.</summary>
    public double StepsPerTurn => Turns.Count == 0 ? 0 : Math.Round((double)Turns.Sum(t => t.Steps) / Turns.Count, 2);
}

/// <summary>One user turn and the agent's reply.</summary>
/// <param name="User">The user's message.</param>
/// <param name="Output">The agent's answer to it.</param>
/// <param name="Outcome">How the reply ended (<c>completed</c>, or why the conversation stopped there).</param>
/// <param name="Steps">The model calls the reply took.</param>
/// <param name="ToolCalls">The tool calls made while replying: the next ones of the case's <see cref="CaseResult.ToolCalls"/>.</param>
public sealed record TurnResult(string User, string Output, string Outcome, int Steps, int ToolCalls);
