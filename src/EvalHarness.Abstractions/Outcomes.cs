namespace EvalHarness;

/// <summary>The outcomes a run can end in, by the snake_case names suites and agents write.</summary>
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

    /// <summary>The name as results write it: <c>max_steps</c> becomes <c>MaxSteps</c>.</summary>
    public static string ToResult(string name) =>
        string.Concat(name.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>The snake_case name of an outcome as results write it: <c>MaxSteps</c> becomes <c>max_steps</c>.</summary>
    public static string FromResult(string result) =>
        string.Concat(result.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
