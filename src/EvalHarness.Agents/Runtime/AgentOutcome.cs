namespace EvalHarness.Agents.Runtime;

/// <summary>How a run ended. Outcomes are values: a run that stops early is not an exception.</summary>
public enum AgentOutcome
{
    /// <summary>The model gave a final answer (conforming to the output schema, when there is one).</summary>
    Completed,

    /// <summary>The run used all its steps without a final answer.</summary>
    MaxSteps,

    /// <summary>The model kept calling the same tool with the same arguments.</summary>
    LoopDetected,

    /// <summary>The run used more tokens or money than its budget allows.</summary>
    BudgetExceeded,

    /// <summary>The run took longer than its wall-clock limit.</summary>
    TimedOut,

    /// <summary>A tool call waits for a human decision; the run can resume from its checkpoint.</summary>
    AwaitingApproval,

    /// <summary>A model call failed for good, or the answer never matched the output schema.</summary>
    Failed,

    /// <summary>The caller cancelled the run.</summary>
    Cancelled,
}

/// <summary>The outcomes' names, as suites, results, reports and trace spans write them.</summary>
public static class AgentOutcomes
{
    /// <summary>The snake_case name of an outcome: <see cref="AgentOutcome.MaxSteps"/> is <c>max_steps</c>.</summary>
    public static string Name(this AgentOutcome outcome) => outcome switch
    {
        AgentOutcome.Completed => "completed",
        AgentOutcome.MaxSteps => "max_steps",
        AgentOutcome.LoopDetected => "loop_detected",
        AgentOutcome.BudgetExceeded => "budget_exceeded",
        AgentOutcome.TimedOut => "timed_out",
        AgentOutcome.AwaitingApproval => "awaiting_approval",
        AgentOutcome.Failed => "failed",
        AgentOutcome.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "an outcome with no name"),
    };
}
