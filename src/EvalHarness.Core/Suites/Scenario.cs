namespace EvalHarness.Core.Suites;

/// <summary>One task for the agent and what a good run looks like.</summary>
/// <param name="Name">Unique within the suite; part of every cassette id.</param>
/// <param name="Tags">Free labels for filtering and aggregation.</param>
/// <param name="Input">The user's message.</param>
/// <param name="Expect">What the run must satisfy.</param>
/// <param name="Line">The line of the scenario in the suite file, for messages.</param>
public sealed record Scenario(string Name, IReadOnlyList<string> Tags, string Input, Expectations Expect, int Line);
