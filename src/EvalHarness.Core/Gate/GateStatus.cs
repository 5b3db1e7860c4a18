namespace EvalHarness.Core.Gate;

/// <summary>A gate rule's verdict.</summary>
public enum GateStatus
{
    /// <summary>The measured value meets the threshold.</summary>
    Pass,

    /// <summary>It does not: the gate fails.</summary>
    Fail,

    /// <summary>The rule could not be measured (no baseline, no price); it does not fail the gate.</summary>
    Skipped,
}
