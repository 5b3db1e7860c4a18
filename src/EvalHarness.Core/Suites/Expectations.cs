namespace EvalHarness.Core.Suites;

/// <summary>What a scenario expects of a run. Every set field becomes an assertion.</summary>
public sealed record Expectations
{
    /// <summary>Texts the final output must contain (case-insensitive).</summary>
    public IReadOnlyList<string> OutputContains { get; init; } = [];

    /// <summary>Tools that must have been called.</summary>
    public IReadOnlyList<ToolExpectation> ToolsCalled { get; init; } = [];

    /// <summary>The most steps the run may take.</summary>
    public int? MaxSteps { get; init; }
}
