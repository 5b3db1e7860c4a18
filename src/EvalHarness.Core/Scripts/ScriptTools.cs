using EvalHarness.BuiltIn;
using EvalHarness.Core.Suites;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Scripts;

/// <summary>
/// What a suite's script may name: its scenarios, its conversations, and the tools each conversation's model may call.
/// A script's tool calls reach the agent as written, so they must be the names the agent gives its tools: for the
/// built-in runtime the wire names (<c>search_docs</c>); a qualified name (<c>docs.search</c>) is accepted too and sent
/// as its wire name. An own agent's are its <c>agent.tools</c>; an own agent that declares none is not checked.
/// </summary>
internal sealed class ScriptTools
{
    /// <summary>By conversation: each accepted name (wire or qualified) and the wire name it is sent as; null accepts any name.</summary>
    private readonly Dictionary<string, Dictionary<string, string>?> _names = new(StringComparer.Ordinal);

    /// <summary>Scenarios that test a call to a tool the agent lacks (they expect <c>unknown_tool_calls</c>): their scripts may name any tool.</summary>
    private readonly HashSet<string> _anyTool;

    public ScriptTools(Suite suite)
    {
        Scenarios = [.. suite.Scenarios.Select(s => s.Name)];
        _anyTool = [.. suite.Scenarios.Where(s => s.Expect.Counters.GetValueOrDefault(Agents.Runtime.RunCounters.UnknownToolCalls) > 0).Select(s => s.Name)];
        foreach (var agent in suite.Variants.Select(v => v.Agent))
        {
            if (agent.Own is not null)
            {
                Add(AgentConversation, agent.Tools.Count == 0 ? null : agent.Tools.Select(t => (t, t)));
                continue;
            }

            if (agent.Tools.Any(t => t.StartsWith(McpTools.Prefix, StringComparison.Ordinal)))
            {
                // An MCP server lists its tools when a case starts: a script may call any of them.
                Add(AgentConversation, null);
                continue;
            }

            Add(AgentConversation, Wire(agent, suite.Toolkits).Concat(agent.SubAgents.Select(s => ($"ask_{s.Name}", $"ask_{s.Name}"))));
            foreach (var sub in agent.SubAgents)
            {
                Add(sub.Name, Wire(sub.Agent, suite.Toolkits));
            }
        }

        Conversations = [.. _names.Keys.Where(k => k != AgentConversation), AgentConversation, ScriptBook.SummaryConversation, ScriptBook.JudgeConversation, ScriptBook.UserConversation];
    }

    private static string AgentConversation => ScriptBook.AgentConversation;

    public IReadOnlyList<string> Scenarios { get; }

    public IReadOnlyList<string> Conversations { get; }

    /// <summary>Reads a tool name of one conversation of <paramref name="scenario"/>: the wire name to send, or an error at its node.</summary>
    public Func<YamlNodes, YamlNode, string> For(string scenario, string conversation) => (y, node) =>
    {
        var name = y.String(node, "a tool name");
        if (_anyTool.Contains(scenario) || !_names.TryGetValue(conversation, out var names) || names is null)
        {
            // The summary, the judge and the simulated user have no tools, and an own agent without agent.tools is taken at its word.
            return name;
        }

        if (names.TryGetValue(name, out var wire))
        {
            return wire;
        }

        var callable = names.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        var who = conversation == AgentConversation ? "the agent" : $"the sub-agent '{conversation}'";
        var hint = Suggest(name, names) is { } close ? $" Did you mean '{close}'?" : string.Empty;
        y.Report(y.Error(node, callable.Count == 0
            ? $"{who} has no tools, so the model cannot call '{name}'.{hint}"
            : $"{who} has no tool '{name}': a script calls tools by the names the model sends, here {string.Join(", ", callable)}.{hint} "
                + "(A scenario that tests a call to a missing tool expects counters: { unknown_tool_calls: n }.)"));
        return name;
    };

    /// <summary>The closest name, as its wire name: <c>search</c> is close to <c>docs.search</c>, sent as <c>search_docs</c>.</summary>
    private static string? Suggest(string name, Dictionary<string, string> names)
    {
        var aliases = new Dictionary<string, string>(names, StringComparer.Ordinal);
        foreach (var (accepted, wire) in names.Where(n => n.Key.Contains('.', StringComparison.Ordinal)))
        {
            aliases.TryAdd(accepted[(accepted.LastIndexOf('.') + 1)..], wire);
        }

        return YamlNodes.Suggest(name, aliases.Keys) is { } close ? aliases[close] : null;
    }

    private static IEnumerable<(string Accepted, string Wire)> Wire(AgentConfig agent, IReadOnlyList<IToolkit> toolkits) =>
        agent.Tools.Where(q => !q.StartsWith(McpTools.Prefix, StringComparison.Ordinal)).SelectMany(q => new[] { (q, ToolCatalog.WireName(q, toolkits)), (ToolCatalog.WireName(q, toolkits), ToolCatalog.WireName(q, toolkits)) });

    private void Add(string conversation, IEnumerable<(string Accepted, string Wire)>? names)
    {
        if (names is null)
        {
            _names[conversation] = null;
            return;
        }

        if (_names.TryGetValue(conversation, out var known) && known is null)
        {
            return;
        }

        known ??= _names[conversation] = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (accepted, wire) in names)
        {
            known.TryAdd(accepted, wire);
        }
    }
}
