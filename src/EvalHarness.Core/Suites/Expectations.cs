namespace EvalHarness.Core.Suites;

/// <summary>What a scenario expects of a run. Every set field becomes an assertion.</summary>
public sealed record Expectations
{
    /// <summary>How the run must end, as suites write it (<c>completed</c> unless the scenario says otherwise).</summary>
    public string Outcome { get; init; } = Outcomes.Completed;

    /// <summary>Texts the final output must contain (case-insensitive).</summary>
    public IReadOnlyList<string> OutputContains { get; init; } = [];

    /// <summary>Texts the final output must not contain (case-insensitive).</summary>
    public IReadOnlyList<string> OutputNotContains { get; init; } = [];

    /// <summary>Patterns the final output must match.</summary>
    public IReadOnlyList<System.Text.RegularExpressions.Regex> OutputRegex { get; init; } = [];

    /// <summary>The exact final output (trimmed), if set.</summary>
    public string? OutputEquals { get; init; }

    /// <summary>A schema the final output, parsed as JSON, must match.</summary>
    public Agents.Schema.JsonSchemaValidator? OutputJsonSchema { get; init; }

    /// <summary>Values at JSON paths of the final output parsed as JSON.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> OutputJsonPath { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();

    /// <summary>How <see cref="ToolsCalled"/> relates to the calls made.</summary>
    public ToolOrder ToolsOrder { get; init; } = ToolOrder.Unordered;

    /// <summary>The most tool calls the run may make.</summary>
    public int? MaxToolCalls { get; init; }

    /// <summary>The environment after the run: values at state paths such as <c>orders.A100.status</c>.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> State { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();

    /// <summary>The most tokens (input plus output).</summary>
    public long? MaxTokens { get; init; }

    /// <summary>The most cost in USD.</summary>
    public decimal? MaxCostUsd { get; init; }

    /// <summary>The most latency in milliseconds.</summary>
    public double? MaxLatencyMs { get; init; }

    /// <summary>Tools that must have been called.</summary>
    public IReadOnlyList<ToolExpectation> ToolsCalled { get; init; } = [];

    /// <summary>Tools that must not have run successfully (refused, denied or never called).</summary>
    public IReadOnlyList<string> ToolsNotCalled { get; init; } = [];

    /// <summary>Run counters that must have these exact values (e.g. <c>retries: 1</c>).</summary>
    public IReadOnlyDictionary<string, int> Counters { get; init; } = new Dictionary<string, int>();

    /// <summary>An LLM judge's score the answer must reach.</summary>
    public JudgeExpectation? Judge { get; init; }

    /// <summary>Microsoft.Extensions.AI.Evaluation evaluators the case's answer is judged by, each on one of its metrics.</summary>
    public IReadOnlyList<EvaluatorExpectation> Evaluators { get; init; } = [];


    /// <summary>The most steps the run may take.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>What a conversation as a whole must satisfy: its number of user turns and how it ended.</summary>
    public DialogueExpectation? Dialogue { get; init; }
}

/// <summary><c>expect.dialogue</c>: the user turns a conversation may take, and how it must end.</summary>
/// <param name="MinTurns">The fewest user turns.</param>
/// <param name="MaxTurns">The most user turns.</param>
/// <param name="EndedBy">
/// <c>user</c> (the simulated user wrote its stop marker), <c>script</c> (every scripted turn was answered), <c>max_turns</c>
/// (the simulated user ran out of turns) or <c>agent</c> (a turn ended other than with an answer).
/// </param>
public sealed record DialogueExpectation(int? MinTurns, int? MaxTurns, string? EndedBy)
{
    /// <summary>The ways a conversation ends.</summary>
    public static IReadOnlyList<string> Endings { get; } = ["user", "script", "max_turns", "agent"];

    /// <summary>How a conversation's ending reads in verdicts and reports: <c>user</c> is "the user (its stop marker)".</summary>
    public static string Describe(string endedBy) => endedBy switch
    {
        "user" => "the user (its stop marker)",
        "script" => "the script (every turn answered)",
        "max_turns" => "max_turns (the simulated user's limit)",
        _ => "the agent (a turn ended without an answer)",
    };
}
