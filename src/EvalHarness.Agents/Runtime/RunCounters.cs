using System.Collections.Concurrent;

namespace EvalHarness.Agents.Runtime;

/// <summary>
/// Named counts of what happened in a run (retries, rejected tool calls, repairs …). Thread-safe, because
/// tool calls of one turn run concurrently. A suite can assert on any of them by name.
/// </summary>
public sealed class RunCounters
{
    /// <summary>Model calls, summaries and repairs included.</summary>
    public const string ModelCalls = "model_calls";

    /// <summary>Model calls retried after a transient failure.</summary>
    public const string Retries = "retries";

    /// <summary>Tool calls whose arguments failed the tool's schema or were not JSON.</summary>
    public const string InvalidToolArgs = "invalid_tool_args";

    /// <summary>Tool calls naming a tool the agent does not have.</summary>
    public const string UnknownToolCalls = "unknown_tool_calls";

    /// <summary>Tool calls the guard refused for dangerous arguments.</summary>
    public const string GuardBlocked = "guard_blocked";

    /// <summary>Tool outputs in which instruction-like text was neutralised.</summary>
    public const string InjectionsNeutralized = "injections_neutralized";

    /// <summary>Tool outputs cut to the output budget.</summary>
    public const string OutputsTruncated = "outputs_truncated";

    /// <summary>Repeated side-effecting calls answered from the first call instead of running again.</summary>
    public const string IdempotentReplays = "idempotent_replays";

    /// <summary>Tool calls retried after a transient failure.</summary>
    public const string ToolRetries = "tool_retries";

    /// <summary>Tool calls that failed (after retries).</summary>
    public const string ToolErrors = "tool_errors";

    /// <summary>Final answers sent back because they did not match the output schema.</summary>
    public const string Repairs = "repairs";

    /// <summary>Times older turns were summarised to fit the context window.</summary>
    public const string Summaries = "summaries";

    /// <summary>Tool calls that asked a human for approval.</summary>
    public const string ApprovalsRequested = "approvals_requested";

    /// <summary>Tool calls a human denied.</summary>
    public const string ApprovalsDenied = "approvals_denied";

    /// <summary>Delegations to sub-agents.</summary>
    public const string Delegations = "delegations";

    /// <summary>Every counter name, for validating suites.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        ModelCalls, Retries, InvalidToolArgs, UnknownToolCalls, GuardBlocked, InjectionsNeutralized, OutputsTruncated,
        IdempotentReplays, ToolRetries, ToolErrors, Repairs, Summaries, ApprovalsRequested, ApprovalsDenied, Delegations,
    ];

    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="by"/> to a counter.</summary>
    public void Increment(string name, int by = 1) => _counts.AddOrUpdate(name, by, (_, n) => n + by);

    /// <summary>A counter's value; zero when it never moved.</summary>
    public int this[string name] => _counts.GetValueOrDefault(name);

    /// <summary>The non-zero counters, sorted by name.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() =>
        new SortedDictionary<string, int>(_counts.Where(c => c.Value != 0).ToDictionary(), StringComparer.Ordinal);

    /// <summary>Restores counters from a snapshot (when a run resumes from a checkpoint).</summary>
    public static RunCounters From(IReadOnlyDictionary<string, int> snapshot)
    {
        var counters = new RunCounters();
        foreach (var (name, value) in snapshot)
        {
            counters.Increment(name, value);
        }

        return counters;
    }
}
