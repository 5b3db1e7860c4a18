using EvalHarness.Agents.Runtime;

namespace EvalHarness.Core.Suites;

/// <summary>What a scenario expects of a run. Every set field becomes an assertion.</summary>
public sealed record Expectations
{
    /// <summary>How the run must end; completed unless the scenario says otherwise.</summary>
    public AgentOutcome Outcome { get; init; } = AgentOutcome.Completed;

    /// <summary>Texts the final output must contain (case-insensitive).</summary>
    public IReadOnlyList<string> OutputContains { get; init; } = [];

    /// <summary>Texts the final output must not contain (case-insensitive).</summary>
    public IReadOnlyList<string> OutputNotContains { get; init; } = [];

    /// <summary>Tools that must have been called.</summary>
    public IReadOnlyList<ToolExpectation> ToolsCalled { get; init; } = [];

    /// <summary>Tools that must not have run successfully (refused, denied or never called).</summary>
    public IReadOnlyList<string> ToolsNotCalled { get; init; } = [];

    /// <summary>Run counters that must have these exact values (e.g. <c>retries: 1</c>).</summary>
    public IReadOnlyDictionary<string, int> Counters { get; init; } = new Dictionary<string, int>();

    /// <summary>The most steps the run may take.</summary>
    public int? MaxSteps { get; init; }
}
