using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>A scenario's conversation: scripted user turns, or a simulated user.</summary>
public static partial class SuiteLoader
{
    /// <summary>
    /// A scenario's <c>conversation</c>: user turns, each a text or <c>{ user, expect }</c> whose expect may check the
    /// turn's output and the tools called in it. The built-in runtime's agent holds it (not yet a pipeline or an own agent).
    /// </summary>
    private static List<ConversationTurn> Conversation(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants, string scenario)
    {
        RefusePipelines(y, node, variants, scenario);
        var turns = new List<ConversationTurn>();
        foreach (var item in y.Sequence(node, "conversation").Children)
        {
            if (item is YamlScalarNode)
            {
                turns.Add(new ConversationTurn(y.String(item, "a user turn"), null, (int)item.Start.Line));
                continue;
            }

            var keys = y.Keys(y.Mapping(item, "a conversation turn"), "a conversation turn", "user", "expect");
            var user = y.String(y.Required(keys, item, "user", "A conversation turn"), "user");
            Expectations? expect = null;
            if (keys.TryGetValue("expect", out var e))
            {
                expect = TurnExpect(y, y.Mapping(e.Value, "a turn's expect"), variants);
            }

            turns.Add(new ConversationTurn(user, expect, (int)item.Start.Line));
        }

        return turns.Count > 0 ? turns : throw y.Error(node, $"Scenario '{scenario}': the conversation is empty; give the user's turns, or use input.");
    }

    /// <summary>
    /// A turn's <c>expect</c>: its output and the tools called in the turn. A key of the scenario's <c>expect</c> is
    /// refused with where it goes; the turn's expect is read from its known keys only, so one misplaced key is one error.
    /// </summary>
    private static Expectations TurnExpect(YamlNodes y, YamlMappingNode map, IReadOnlyList<Variant> variants)
    {
        var turn = new YamlMappingNode();
        foreach (var (key, value) in map.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && name is not ("output" or "tools") && ExpectationParser.Keys.Contains(name))
            {
                y.Report(y.Error(key, $"'{name}' is checked once for the whole conversation, not per turn: move it to the scenario's expect (beside conversation:). A turn's expect takes output and tools."));
                continue;
            }

            turn.Children.Add(key, value);
        }

        var keys = y.Keys(turn, "a turn's expect (its output and the tools called in the turn)", "output", "tools");
        return ExpectationParser.Parse(y, new YamlMappingNode(keys.Values.Select(k => new KeyValuePair<YamlNode, YamlNode>(k.Key, k.Value))), variants);
    }

    /// <summary>A conversation is held by one agent (the built-in runtime's or an own agent), not by a pipeline of stages.</summary>
    private static void RefusePipelines(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants, string scenario)
    {
        if (variants.FirstOrDefault(v => v.Agent.Own is null && v.Agent.Pipeline.Count > 0) is { } pipeline)
        {
            throw y.Error(node, $"Scenario '{scenario}': a conversation is held by one agent; variant '{pipeline.Name}' is a pipeline, whose stages each take one input. Give the conversation to a variant without a pipeline.");
        }
    }

    /// <summary>A scenario's <c>user</c>: a model playing the user, with its persona and goal, its turn limit and stop marker.</summary>
    private static SimulatedUser SimulatedUser(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants, string scenario)
    {
        RefusePipelines(y, node, variants, scenario);
        var keys = y.Keys(y.Mapping(node, "user"), "user (a simulated user)", "model", "instructions", "max_turns", "stop");
        var instructions = y.String(y.Required(keys, node, "instructions", "A simulated user"), "instructions");
        var model = keys.TryGetValue("model", out var m) ? AgentParser.HelperModel(y, m.Value) : (ModelRef?)null;
        if (model is null)
        {
            AgentParser.RequireHelperModel(y, node, variants, "the simulated user");
        }

        var maxTurns = keys.TryGetValue("max_turns", out var mt) ? y.Int(mt.Value, "max_turns", 1) : 8;
        if (maxTurns > Suites.SimulatedUser.TurnLimit)
        {
            throw y.Error(mt.Value, $"max_turns is {maxTurns}; a simulated conversation may have at most {Suites.SimulatedUser.TurnLimit} turns.");
        }

        var stop = keys.TryGetValue("stop", out var st) ? y.String(st.Value, "stop") : Suites.SimulatedUser.DefaultStop;
        if (stop.Trim().Length == 0)
        {
            throw y.Error(st.Value, "stop is empty: give the marker the simulated user writes when its goal is met, e.g. ###STOP###.");
        }

        return new SimulatedUser(model, instructions, maxTurns, stop, (int)node.Start.Line);
    }
}
