namespace EvalHarness.Core.Suites;

/// <summary>A specialist sub-agent in a suite.</summary>
/// <param name="Name">Its name; the supervisor calls it as <c>ask_&lt;name&gt;</c>.</param>
/// <param name="Description">What it is for, shown to the supervisor.</param>
/// <param name="Agent">How it runs.</param>
public sealed record SubAgentConfig(string Name, string Description, AgentConfig Agent);
