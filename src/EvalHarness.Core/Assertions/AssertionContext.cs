using System.Text.Json;
using EvalHarness.Core.Suites;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Assertions;

/// <summary>What a custom assertion sees: the scenario, the agent's report of its run, its tool calls, the environment after it, and the arguments the suite gave.</summary>
/// <param name="Scenario">The scenario and its expectations.</param>
/// <param name="Report">The run as the agent reported it, with what the recorded traffic says filled in.</param>
/// <param name="ToolCalls">The run's tool calls, by the names suites use.</param>
/// <param name="Environment">The built-in toolkits' world after the run; null for an own agent.</param>
/// <param name="Arguments">What the suite passes the assertion.</param>
public sealed record AssertionContext(Scenario Scenario, AgentReport Report, IReadOnlyList<ToolCallResult> ToolCalls, CaseEnvironment? Environment, JsonElement Arguments);
