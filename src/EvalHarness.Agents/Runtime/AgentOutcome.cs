namespace EvalHarness.Agents.Runtime;

/// <summary>How a run ended. Outcomes are values: a run that stops early is not an exception.</summary>
public enum AgentOutcome
{
    /// <summary>The model answered without asking for a tool.</summary>
    Completed,

    /// <summary>The run used all its steps without a final answer.</summary>
    MaxSteps,

    /// <summary>A model call failed and the run could not go on.</summary>
    Failed,

    /// <summary>The caller cancelled the run.</summary>
    Cancelled,
}
