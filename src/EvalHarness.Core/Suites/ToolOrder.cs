namespace EvalHarness.Core.Suites;

/// <summary>How the expected tool calls must relate to the calls the agent made.</summary>
public enum ToolOrder
{
    /// <summary>Each expected call was made, in any order; other calls are allowed. The default.</summary>
    Unordered,

    /// <summary>The expected calls were made in this order (other calls may come between them).</summary>
    Subset,

    /// <summary>The calls made are exactly the expected ones, in this order, and nothing else.</summary>
    Strict,

    /// <summary>Every call made matches one of the expected ones: the agent called nothing else.</summary>
    Superset,
}
