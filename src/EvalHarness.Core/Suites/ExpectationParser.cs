using EvalHarness.Agents.Runtime;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>Reads a scenario's <c>expect</c> block; tool names and counters are checked against what can happen.</summary>
internal static class ExpectationParser
{
    private static readonly Dictionary<string, AgentOutcome> Outcomes = new(StringComparer.Ordinal)
    {
        ["completed"] = AgentOutcome.Completed,
        ["max_steps"] = AgentOutcome.MaxSteps,
        ["loop_detected"] = AgentOutcome.LoopDetected,
        ["budget_exceeded"] = AgentOutcome.BudgetExceeded,
        ["timed_out"] = AgentOutcome.TimedOut,
        ["awaiting_approval"] = AgentOutcome.AwaitingApproval,
        ["failed"] = AgentOutcome.Failed,
        ["cancelled"] = AgentOutcome.Cancelled,
    };

    /// <summary>The snake_case name of an outcome, as suites write it.</summary>
    public static string Name(AgentOutcome outcome) => Outcomes.First(o => o.Value == outcome).Key;

    public static Expectations Parse(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants)
    {
        var map = y.Mapping(node, "expect");
        var keys = y.Keys(map, "expect", "outcome", "output", "tools", "counters", "max_steps");
        var callable = variants.SelectMany(v => Callable(v.Agent)).Distinct().ToList();
        var expect = new Expectations();
        if (keys.TryGetValue("outcome", out var oc))
        {
            var text = y.String(oc.Value, "outcome");
            expect = expect with
            {
                Outcome = Outcomes.TryGetValue(text, out var outcome)
                    ? outcome
                    : throw y.Error(oc.Value, $"unknown outcome '{text}'.{Hint(text, Outcomes.Keys)}"),
            };
        }

        if (keys.TryGetValue("output", out var o))
        {
            var output = y.Keys(y.Mapping(o.Value, "expect.output"), "expect.output", "contains", "not_contains");
            expect = expect with
            {
                OutputContains = output.TryGetValue("contains", out var c) ? y.Strings(c.Value, "contains") : [],
                OutputNotContains = output.TryGetValue("not_contains", out var nc) ? y.Strings(nc.Value, "not_contains") : [],
            };
        }

        if (keys.TryGetValue("tools", out var t))
        {
            var tools = y.Keys(y.Mapping(t.Value, "expect.tools"), "expect.tools", "called", "not_called");
            if (tools.TryGetValue("called", out var called))
            {
                expect = expect with { ToolsCalled = [.. y.Sequence(called.Value, "called").Children.Select(c => ToolExpectation(y, c, callable))] };
            }

            if (tools.TryGetValue("not_called", out var notCalled))
            {
                expect = expect with
                {
                    ToolsNotCalled = [.. (notCalled.Value is YamlScalarNode ? [notCalled.Value] : y.Sequence(notCalled.Value, "not_called").Children).Select(n => ToolName(y, n, callable))],
                };
            }
        }

        if (keys.TryGetValue("counters", out var counters))
        {
            var values = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in y.Mapping(counters.Value, "counters").Children)
            {
                var name = y.String(keyNode, "a counter");
                values[name] = RunCounters.Names.Contains(name)
                    ? y.Int(value, name, 0)
                    : throw y.Error(keyNode, $"unknown counter '{name}'.{Hint(name, RunCounters.Names)}");
            }

            expect = expect with { Counters = values };
        }

        if (keys.TryGetValue("max_steps", out var m))
        {
            expect = expect with { MaxSteps = y.Int(m.Value, "max_steps", 1) };
        }

        return expect;
    }

    /// <summary>The names a run's tool calls can carry: the agent's tools, its specialists' tools, and <c>ask_&lt;specialist&gt;</c>.</summary>
    internal static IEnumerable<string> Callable(AgentConfig agent) =>
        agent.Tools.Concat(agent.SubAgents.SelectMany(s => s.Agent.Tools)).Concat(agent.SubAgents.Select(s => $"ask_{s.Name}"));

    private static string ToolName(YamlNodes y, YamlNode node, List<string> callable)
    {
        var name = y.String(node, "a tool name");
        return callable.Contains(name)
            ? name
            : throw y.Error(node, $"'{name}' is not one of the agent's tools, so it can never be called.{Hint(name, callable)}");
    }

    private static ToolExpectation ToolExpectation(YamlNodes y, YamlNode node, List<string> callable)
    {
        var map = y.Mapping(node, "a called tool");
        var keys = y.Keys(map, "a called tool", "name", "args");
        var name = ToolName(y, y.Required(keys, map, "name", "A called tool"), callable);
        var args = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
        if (keys.TryGetValue("args", out var a))
        {
            foreach (var (key, value) in y.Mapping(a.Value, "args").Children)
            {
                args[y.String(key, "an argument name")] = YamlJson.ToElement(value);
            }
        }

        return new ToolExpectation(name, args);
    }

    private static string Hint(string word, IEnumerable<string> known) =>
        YamlNodes.Suggest(word, known) is { } close ? $" Did you mean '{close}'?" : $" Known: {string.Join(", ", known)}.";
}
