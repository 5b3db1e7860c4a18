namespace EvalHarness.Core.Comparison;

/// <summary>How a scenario's result moved from one side of a comparison to the other.</summary>
public enum Change
{
    /// <summary>The same share of its cases passed on both sides.</summary>
    Same,

    /// <summary>A smaller share passed.</summary>
    Regressed,

    /// <summary>A larger share passed.</summary>
    Fixed,

    /// <summary>Only on the current side.</summary>
    New,

    /// <summary>Only on the base side.</summary>
    Removed,
}
