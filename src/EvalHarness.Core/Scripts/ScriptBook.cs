using EvalHarness.Cassettes.Scripted;
using EvalHarness.Core.Suites;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Scripts;

/// <summary>
/// The scripted model turns for one suite, read from its script file (by default
/// <c>scripts/&lt;suite&gt;.yaml</c> beside the suite). Scenarios are listed under <c>default</c>, and a
/// variant that behaves differently lists its own under <c>variants: { name: { scenario: turns } }</c>.
/// </summary>
internal sealed class ScriptBook
{
    /// <summary>The conversation of the agent itself, in a scenario's script.</summary>
    public const string AgentConversation = "agent";

    /// <summary>The conversation of an LLM judge, in a scenario's script (its own cassette, <c>…/tN/judge</c>).</summary>
    public const string JudgeConversation = "judge";

    /// <summary>The conversation of a simulated user, in a scenario's script (its own cassette, <c>…/tN/user</c>).</summary>
    public const string UserConversation = "user";

    /// <summary>The conversation of context summaries, in a scenario's script.</summary>
    public const string SummaryConversation = "summary";

    private readonly Suite _suite;
    private readonly Dictionary<string, Conversations> _default;
    private readonly Dictionary<string, Dictionary<string, Conversations>> _variants;

    private ScriptBook(Suite suite, Dictionary<string, Conversations> @default, Dictionary<string, Dictionary<string, Conversations>> variants)
    {
        _suite = suite;
        _default = @default;
        _variants = variants;
    }

    /// <summary>The script file a suite uses unless told otherwise.</summary>
    public static string DefaultPathFor(Suite suite) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(suite.FilePath))!, "scripts", $"{suite.Name}.yaml");

    /// <summary>
    /// Loads the suite's own script file (<see cref="DefaultPathFor"/>), which must stay inside the suite's repository
    /// like every file the suite uses (a symlink out of it is refused) unless the suite was loaded with AllowOutside.
    /// </summary>
    /// <exception cref="SuiteException">The file is missing, outside, or malformed.</exception>
    public static ScriptBook LoadFor(Suite suite)
    {
        var path = DefaultPathFor(suite);
        var root = new SuiteRoot(suite.FilePath, new SuiteLoadOptions { AllowOutside = suite.AllowOutside });
        if (root.Check(path) is { } outside)
        {
            throw new SuiteException(path, 0, 0, root.Refusal("the script file", Path.GetRelativePath(root.BaseDirectory, path), outside));
        }

        return Load(Shown(suite.FilePath, path, Environment.CurrentDirectory), suite);
    }

    /// <summary>
    /// The script's path as errors name it: like the suite's, relative to <paramref name="currentDirectory"/> when the
    /// suite was given relative (<c>suites/scripts/support.yaml</c>), whole when it was given whole.
    /// </summary>
    internal static string Shown(string suitePath, string scriptPath, string currentDirectory) =>
        Path.IsPathRooted(suitePath) ? scriptPath : Path.GetRelativePath(currentDirectory, scriptPath);

    /// <summary>Loads a script file for <paramref name="suite"/>; every scenario it names must exist in the suite, every tool it calls among the agent's.</summary>
    /// <exception cref="SuiteException">The file is missing or malformed.</exception>
    public static ScriptBook Load(string path, Suite suite)
    {
        if (!File.Exists(path))
        {
            throw new SuiteException(path, 0, 0, $"no script file for suite '{suite.Name}'. The scripted upstream needs one: list each scenario's model turns there, or name another file with --script.");
        }

        return Parse(path, File.ReadAllText(path), suite);
    }

    /// <summary>Parses script YAML for <paramref name="suite"/>; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="SuiteException">The script is malformed.</exception>
    internal static ScriptBook Parse(string path, string yaml, Suite suite)
    {
        // Like a suite, a script reports every mistake it can find in one load.
        var errors = new SuiteErrors();
        var y = new YamlNodes(path, errors);
        var root = y.Mapping(YamlNodes.Parse(path, yaml), "a script file");
        var keys = y.Keys(root, "the script file", "default", "variants");
        var tools = new ScriptTools(suite);
        var defaults = keys.TryGetValue("default", out var d) ? errors.Try(() => ParseScenarios(y, d.Value, tools), []) : [];
        var variants = new Dictionary<string, Dictionary<string, Conversations>>(StringComparer.Ordinal);
        if (keys.TryGetValue("variants", out var v))
        {
            foreach (var (keyNode, value) in errors.Try(() => y.Mapping(v.Value, "variants").Children.ToList(), []))
            {
                var name = y.String(keyNode, "a variant name");
                if (suite.Variants.All(x => x.Name != name))
                {
                    y.Report(y.Error(keyNode, $"the suite has no variant '{name}'. Variants: {string.Join(", ", suite.Variants.Select(x => x.Name))}."));
                    continue;
                }

                variants[name] = errors.Try(() => ParseScenarios(y, value, tools), []);
            }
        }

        errors.ThrowIfAny();
        return new ScriptBook(suite, defaults, variants);
    }

    /// <summary>The agent's turns for cassette <c>suite/variant/scenario/tN</c>, or null when the script has none.</summary>
    public IReadOnlyList<ScriptedTurn>? Find(string cassetteId) => Find(cassetteId, systemPrompt: null);

    /// <summary>
    /// The turns for one conversation of a case: the one whose system prompt is the agent's, a specialist's,
    /// or the summary instruction. Null when the script has none.
    /// </summary>
    public IReadOnlyList<ScriptedTurn>? Find(string cassetteId, string? systemPrompt)
    {
        var parts = cassetteId.Split('/');
        string? named = null;
        if (parts.Length == 5 && parts[4] is JudgeConversation or UserConversation)
        {
            // The judge and the simulated user have cassettes of their own: the cassette says whose turns to play.
            named = parts[4];
            parts = parts[..4];
        }

        if (parts.Length != 4 || parts[0] != _suite.Name || _suite.Variants.FirstOrDefault(v => v.Name == parts[1]) is not { } variant)
        {
            return null;
        }

        var conversations = _variants.TryGetValue(parts[1], out var own) && own.TryGetValue(parts[2], out var mine) ? mine
            : _default.GetValueOrDefault(parts[2]);
        return conversations?.GetValueOrDefault(named ?? Conversation(variant.Agent, systemPrompt));
    }

    private static string Conversation(AgentConfig agent, string? systemPrompt) =>
        systemPrompt is null || systemPrompt == agent.SystemPrompt ? AgentConversation
        : systemPrompt == Agents.Context.ContextCompactor.SummaryInstruction ? SummaryConversation
        : systemPrompt == Assertions.Judge.Instruction ? JudgeConversation
        : agent.SubAgents.FirstOrDefault(s => s.Agent.SystemPrompt == systemPrompt)?.Name ?? AgentConversation;

    private static Dictionary<string, Conversations> ParseScenarios(YamlNodes y, YamlNode node, ScriptTools tools)
    {
        var result = new Dictionary<string, Conversations>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in y.Mapping(node, "a list of scenarios").Children)
        {
            // One scenario's mistake is reported and the next scenario read.
            var conversations = y.Errors!.Try(() => ParseScenario(y, keyNode, value, tools), null);
            if (conversations is not null)
            {
                result[y.String(keyNode, "a scenario name")] = conversations;
            }
        }

        return result;
    }

    private static Conversations ParseScenario(YamlNodes y, YamlNode keyNode, YamlNode value, ScriptTools tools)
    {
        var name = y.String(keyNode, "a scenario name");
        if (!tools.Scenarios.Contains(name))
        {
            var hint = YamlNodes.Suggest(name, tools.Scenarios) is { } close ? $" Did you mean '{close}'?" : string.Empty;
            throw y.Error(keyNode, $"the suite has no scenario '{name}'.{hint}");
        }

        if (value is YamlSequenceNode)
        {
            return new Conversations { [AgentConversation] = Turns(y, value, name, tools.For(name, AgentConversation)) };
        }

        // A scenario with several conversations: { agent: [...], billing: [...], summary: [...] }.
        var conversations = new Conversations();
        foreach (var (conversationNode, turns) in y.Mapping(value, $"the script of '{name}' (a list of turns, or conversations by agent)").Children)
        {
            var conversation = y.String(conversationNode, "a conversation name");
            if (!tools.Conversations.Contains(conversation))
            {
                y.Report(y.Error(conversationNode, $"'{conversation}' is not a conversation of this suite: use one of {string.Join(", ", tools.Conversations)}."));
                continue;
            }

            conversations[conversation] = Turns(y, turns, $"{name}/{conversation}", tools.For(name, conversation));
        }

        return conversations;
    }

    private static string Fault(YamlNodes y, YamlNode node) => y.String(node, "fault") switch
    {
        "timeout" or "reset" or "malformed" or "truncated" => y.String(node, "fault"),
        _ => throw y.Error(node, "fault must be timeout, reset, malformed or truncated."),
    };

    private static List<ScriptedTurn> Turns(YamlNodes y, YamlNode node, string what, Func<YamlNodes, YamlNode, string> tool) =>
        [.. y.Sequence(node, $"the turns of '{what}'").Children.Select(t => ParseTurn(y, t, tool))];

    private static ScriptedTurn ParseTurn(YamlNodes y, YamlNode node, Func<YamlNodes, YamlNode, string> tool)
    {
        var map = y.Mapping(node, "a turn");
        var keys = y.Keys(map, "a turn", "text", "tools", "error", "fault", "latency_ms");
        if (!keys.ContainsKey("text") && !keys.ContainsKey("tools") && !keys.ContainsKey("error") && !keys.ContainsKey("fault"))
        {
            throw y.Error(map, "a turn needs text, tools, error or fault.");
        }

        var turn = new ScriptedTurn
        {
            Text = keys.TryGetValue("text", out var text) ? y.String(text.Value, "text") : null,
            LatencyMs = keys.TryGetValue("latency_ms", out var latency) ? y.Int(latency.Value, "latency_ms", 0) : null,
            Fault = keys.TryGetValue("fault", out var fault) ? Fault(y, fault.Value) : null,
        };

        if (keys.TryGetValue("tools", out var tools))
        {
            var calls = new List<ScriptedToolCall>();
            foreach (var call in y.Sequence(tools.Value, "tools").Children)
            {
                var entry = y.Mapping(call, "a tool call ({ tool_name: { argument: value } })");
                if (entry.Children.Count != 1)
                {
                    throw y.Error(call, "a tool call is one tool name with its arguments: { lookup_order: { order_id: A100 } }.");
                }

                var (name, args) = entry.Children.Single();
                calls.Add(new ScriptedToolCall(tool(y, name), YamlJson.ToElement(y.Mapping(args, "the tool's arguments"))));
            }

            turn = turn with { ToolCalls = calls };
        }

        if (keys.TryGetValue("error", out var error))
        {
            var e = y.Keys(y.Mapping(error.Value, "error"), "error", "status", "message", "retry_after_s");
            turn = turn with
            {
                ErrorStatus = y.Int(y.Required(e, error.Value, "status", "error"), "status", 400),
                ErrorMessage = e.TryGetValue("message", out var m) ? y.String(m.Value, "message") : null,
                RetryAfterSeconds = e.TryGetValue("retry_after_s", out var ra) ? (double)y.Decimal(ra.Value, "retry_after_s", 0) : null,
            };
        }

        return turn;
    }

    /// <summary>A scenario's scripts by conversation.</summary>
    private sealed class Conversations : Dictionary<string, IReadOnlyList<ScriptedTurn>>
    {
        public Conversations()
            : base(StringComparer.Ordinal)
        {
        }
    }
}
