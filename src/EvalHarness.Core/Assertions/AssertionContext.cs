using System.Text.Json;
using EvalHarness.Agents.Runtime;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.Core.Toolkits;

namespace EvalHarness.Core.Assertions;

/// <summary>What a custom assertion sees: the scenario, the run, its tool calls, the environment after it, and the arguments the suite gave.</summary>
public sealed record AssertionContext(Scenario Scenario, AgentRun Run, IReadOnlyList<ToolCallResult> ToolCalls, CaseEnvironment? Environment, JsonElement Arguments);
