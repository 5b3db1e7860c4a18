namespace EvalHarness.Core.Suites;

/// <summary>One way to run the suite's agent: the suite's agent with some settings replaced.</summary>
/// <param name="Name">The variant's name, part of every cassette id.</param>
/// <param name="Agent">The agent as this variant runs it.</param>
public sealed record Variant(string Name, AgentConfig Agent);
