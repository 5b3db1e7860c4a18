namespace EvalHarness;

/// <summary>
/// The outcomes a run can end in, by the snake_case names suites, agents, results and reports all write: an outcome has
/// this one encoding everywhere.
/// </summary>
public static class Outcomes
{
    /// <summary>The run gave its final answer.</summary>
    public const string Completed = "completed";

    /// <summary>The run was stopped (Ctrl+C or a time limit) before it ended.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Every name, in the order documented.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [Completed, "max_steps", "loop_detected", "budget_exceeded", "timed_out", "awaiting_approval", "failed", Cancelled];

    /// <summary>Whether <paramref name="name"/> is an outcome.</summary>
    public static bool IsValid(string name) => Names.Contains(name);
}
