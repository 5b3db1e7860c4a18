using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Context;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Runtime;
using EvalHarness.Agents.Schema;
using EvalHarness.Agents.Tools;
using EvalHarness.BuiltIn;
using EvalHarness.Core.Pricing;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>Reads an <c>agent</c> block (or a sub-agent) and builds every option it names, so a bad value fails at load.</summary>
internal static partial class AgentParser
{
    private static readonly string[] CommonKeys =
    [
        "model", "system_prompt", "tools", "limits", "loop_detection", "tool_output", "guard", "retry",
        "output_schema", "max_repairs", "context", "streaming", "approvals", "price_as",
    ];

    public static AgentConfig Parse(YamlNodes y, YamlNode node, SuiteRoot root, string what, AgentConfig? parent)
    {
        var map = y.Mapping(node, what);
        if (parent is null && OwnAgentParser.IsOwn(map))
        {
            return OwnAgentParser.Parse(y, map, root);
        }

        // The top-level agent also knows an own agent's keys, so a misspelt `comand:` gets its "did you mean".
        var keys = parent is null
            ? y.Keys(map, what, [.. CommonKeys, "sub_agents", "pipeline", "command", "dotnet", "env", "cwd", "timeout_s", .. ToolServerParser.Keys])
            : y.Keys(map, what, [.. CommonKeys, "name", "description"]);
        if (parent is null && new[] { "env", "cwd", "timeout_s" }.FirstOrDefault(keys.ContainsKey) is { } processKey)
        {
            throw y.Error(keys[processKey].Key, $"'{processKey}' is for process agents: add command: [program, arguments…] to run your own agent, or remove it (the built-in runtime's time limit is limits.timeout_s).");
        }

        // Each key is read on its own, so one load lists the errors of all of them; a key in error keeps its default.
        var model = y.Try(() => keys.TryGetValue("model", out var m) ? Model(y, m.Value) : parent?.Model ?? Model(y, y.Required(keys, map, "model", what)), parent?.Model ?? UnknownModel);
        var (prompt, source) = y.Try(() => Prompt(y, y.Required(keys, map, "system_prompt", what), root), (string.Empty, "inline"));
        // Tool servers first: `tools` may name their tools (mcp:inventory). A sub-agent uses its parent's servers.
        var toolServers = parent?.ToolServers ?? y.Try(() => ToolServerParser.Parse(y, keys, root), []);
        var tools = keys.TryGetValue("tools", out var t) ? y.Try<List<string>?>(() => Tools(y, t.Value, toolServers), null) : [];
        if (tools is null)
        {
            ExpectationParser.ToolsUnknown = true; // the list itself is in error: expected tool names cannot be checked
            tools = [];
        }

        ExpectationParser.ToolsUnknown |= keys.Misspelt.ContainsKey("tools");
        var config = new AgentConfig { Model = model, SystemPrompt = prompt, SystemPromptSource = source, Tools = tools, PriceAs = parent?.Model == model ? parent.PriceAs : null };

        // Each optional key is read on its own: one in error is collected and keeps the default, so the rest are still read.
        AgentConfig Optional(string key, Func<YamlNode, AgentConfig> read) => keys.TryGetValue(key, out var entry) ? y.Try(() => read(entry.Value), config) : config;

        config = config with { ToolServers = toolServers };
        config = Optional("limits", value => config with { Limits = Limits(y, value) });
        config = Optional("loop_detection", value => config with { LoopDetection = LoopDetection(y, value) });
        config = Optional("tool_output", value => config with { ToolOutput = ToolOutput(y, value) });
        config = Optional("guard", value => config with { Guard = y.Bool(value, "guard") });
        config = Optional("retry", value => config with { Retry = Retry(y, value) });
        config = Optional("output_schema", value => config with { OutputSchema = Schema(y, value, root) });
        config = Optional("max_repairs", value => config with { MaxRepairs = y.Int(value, "max_repairs", 0) });
        config = Optional("context", value => config with { Context = Context(y, value, model) });
        config = Optional("streaming", value => config with { Streaming = y.Bool(value, "streaming") });
        config = Optional("approvals", value => config with { Approvals = Approvals(y, value, tools) });
        config = Optional("price_as", value => config with { PriceAs = PriceAs(y, value, model) });
        if (keys.TryGetValue("sub_agents", out var sa))
        {
            config = config with { SubAgents = SubAgents(y, sa.Value, root, config) };
        }

        if (keys.TryGetValue("pipeline", out var p))
        {
            var stages = y.Sequence(p.Value, "pipeline").Children.Select(n => (Node: n, Name: y.String(n, "a stage"))).ToList();
            foreach (var stage in stages.Where(st => config.SubAgents.All(x => x.Name != st.Name)))
            {
                throw y.Error(stage.Node, config.SubAgents.Count == 0
                    ? $"pipeline stage '{stage.Name}' names a sub-agent, but the agent has no sub_agents: define them under sub_agents."
                    : $"pipeline stage '{stage.Name}' is not one of the sub_agents ({string.Join(", ", config.SubAgents.Select(x => x.Name))}).");
            }

            config = config with { Pipeline = stages.Count > 0 ? [.. stages.Select(st => st.Name)] : throw y.Error(p.Value, "pipeline is empty.") };
        }

        return config;
    }

    /// <summary>
    /// A judge or simulated user with no model of its own uses the agent's; where the agent chooses its own (a process
    /// agent whose suite names none), there is none to use.
    /// </summary>
    public static void RequireHelperModel(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants, string who)
    {
        if (variants.Any(v => v.Agent.Model.IsChosenByTheAgent))
        {
            throw y.Error(node, $"the agent names no model (it chooses its own), so {who} needs one: model: openai:gpt-4o-mini, for example.");
        }
    }

    /// <summary>Stands in for a model written wrongly (already an error), so the rest of the agent can still be read.</summary>
    private static readonly ModelRef UnknownModel = Providers.TryParse("openai:unknown", out var model, out _) ? model : throw new InvalidOperationException();

    public static ModelRef Model(YamlNodes y, YamlNode node) =>
        Providers.TryParse(y.String(node, "model"), out var model, out var error) ? model : throw y.Error(node, error);

    /// <summary>The model a deployment is priced as (<c>price_as: gpt-4o-mini</c>), which must have a price for the provider.</summary>
    public static string PriceAs(YamlNodes y, YamlNode node, ModelRef model)
    {
        var name = y.String(node, "price_as");
        var priced = PricingTable.Default.Models.Keys.Where(k => k.StartsWith(model.Provider + ":", StringComparison.Ordinal)).Select(k => k[(model.Provider.Length + 1)..]).ToList();
        return priced.Contains(name) ? name
            : throw y.Error(node, $"price_as: there is no price for {model.Provider}:{name}; "
                + (priced.Count == 0 ? $"pricing.json prices no {model.Provider} model." : $"priced {model.Provider} models are {string.Join(", ", priced)}."));
    }

    /// <summary>
    /// A helper model (the judge, a simulated user): called through its own provider's client, whatever protocol each
    /// variant's agent speaks, so an OpenAI judge scores an Anthropic variant's answers too.
    /// </summary>
    public static ModelRef HelperModel(YamlNodes y, YamlNode node) => Model(y, node);

    /// <summary>
    /// A prompt ending in .md or .txt, or one word with a <c>/</c> in it (<c>../prompts/agent</c>), is a file relative to
    /// the suite; anything else is the prompt itself. So a path missing its extension is not sent as the prompt.
    /// </summary>
    public static (string Text, string Source) Prompt(YamlNodes y, YamlNode node, SuiteRoot root)
    {
        var value = y.String(node, "system_prompt");
        var file = !value.Contains('\n', StringComparison.Ordinal)
            && (value.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
                || (value.Contains('/', StringComparison.Ordinal) && !value.Any(char.IsWhiteSpace)));
        if (!file)
        {
            return (value, "inline");
        }

        var path = root.Resolve(y, node, value, "the prompt file");
        return File.Exists(path)
            ? (File.ReadAllText(path).TrimEnd(), value)
            : throw y.Error(node, $"the prompt file '{value}' does not exist (looked in {root.BaseDirectory}).");
    }

    private static List<string> Tools(YamlNodes y, YamlNode node, IReadOnlyList<Cassettes.Tools.ToolServer> servers)
    {
        var tools = new List<string>();
        var wireNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in y.Sequence(node, "tools").Children)
        {
            var tool = y.String(item, "a tool");
            if (McpTools.TryParse(tool, out var server, out _))
            {
                // An MCP server's tools are listed by the server itself when a case starts.
                var mcp = servers.Where(s => s.IsMcp).Select(s => s.Name).ToList();
                if (!mcp.Contains(server))
                {
                    y.Report(y.Error(item, mcp.Count == 0
                        ? $"'{tool}' names an MCP server, but the agent names none: add agent.mcp.{server}: {{ command: [...] }} or {{ url: ... }}."
                        : $"'{tool}' names the MCP server '{server}', which agent.mcp does not name (it names {string.Join(", ", mcp)})."));
                    continue;
                }

                tools.Add(tool);
                continue;
            }

            var toolkits = ExpectationParser.Toolkits ?? [];
            if (!ToolCatalog.Contains(tool, toolkits))
            {
                // Every unknown tool is reported; expected tool names are then not checked against a list known to be wrong.
                var names = ToolCatalog.NamesWith(toolkits);
                var hint = YamlNodes.Suggest(tool, names) is { } close ? $"Did you mean '{close}'?" : $"Available: {string.Join(", ", names)}.";
                y.Report(y.Error(item, $"unknown tool '{tool}'. {hint}"));
                ExpectationParser.ToolsUnknown = true;
                continue;
            }

            var wire = ToolCatalog.WireName(tool, toolkits);
            if (!wireNames.TryAdd(wire, tool))
            {
                y.Report(y.Error(item, $"'{tool}' is listed twice, or clashes with '{wireNames[wire]}' (the model would see two tools named '{wire}')."));
                continue;
            }

            tools.Add(tool);
        }

        return tools;
    }

    private static T Build<T>(YamlNodes y, YamlNode node, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException ex)
        {
            throw y.Error(node, Plain(ex));
        }
    }

    private static AgentLimits Limits(YamlNodes y, YamlNode node)
    {
        var k = y.Keys(y.Mapping(node, "limits"), "limits", "max_steps", "max_tokens", "max_cost_usd", "timeout_s");
        return Build(y, node, () => new AgentLimits(
            k.TryGetValue("max_steps", out var s) ? y.Int(s.Value, "max_steps", 1) : 10,
            k.TryGetValue("max_tokens", out var t) ? y.Int(t.Value, "max_tokens", 1) : null,
            k.TryGetValue("max_cost_usd", out var c) ? y.Decimal(c.Value, "max_cost_usd", 0, exclusive: true) : null,
            k.TryGetValue("timeout_s", out var to) ? TimeSpan.FromSeconds((double)y.Decimal(to.Value, "timeout_s", 0, exclusive: true)) : null));
    }

    private static LoopDetectionOptions? LoopDetection(YamlNodes y, YamlNode node)
    {
        if (node is YamlScalarNode)
        {
            return y.Bool(node, "loop_detection") ? new LoopDetectionOptions() : null;
        }

        var k = y.Keys(y.Mapping(node, "loop_detection"), "loop_detection", "window", "repeats");
        return Build(y, node, () => new LoopDetectionOptions(
            k.TryGetValue("window", out var w) ? y.Int(w.Value, "window", 1) : 6,
            k.TryGetValue("repeats", out var r) ? y.Int(r.Value, "repeats", 1) : 3));
    }

    private static ToolOutputPolicy ToolOutput(YamlNodes y, YamlNode node)
    {
        var k = y.Keys(y.Mapping(node, "tool_output"), "tool_output", "max_chars", "neutralize_injections");
        return Build(y, node, () => new ToolOutputPolicy(
            k.TryGetValue("max_chars", out var m) ? y.Int(m.Value, "max_chars", 1) : 4000,
            !k.TryGetValue("neutralize_injections", out var n) || y.Bool(n.Value, "neutralize_injections")));
    }

    private static ResilienceOptions? Retry(YamlNodes y, YamlNode node)
    {
        if (node is YamlScalarNode)
        {
            return y.Bool(node, "retry") ? new ResilienceOptions() : null;
        }

        var k = y.Keys(y.Mapping(node, "retry"), "retry", "max_retries", "base_delay_ms", "max_delay_s", "attempt_timeout_s");
        return Build(y, node, () => new ResilienceOptions(
            k.TryGetValue("max_retries", out var m) ? y.Int(m.Value, "max_retries", 0) : 3,
            k.TryGetValue("base_delay_ms", out var b) ? TimeSpan.FromMilliseconds(y.Int(b.Value, "base_delay_ms", 1)) : null,
            k.TryGetValue("max_delay_s", out var md) ? TimeSpan.FromSeconds((double)y.Decimal(md.Value, "max_delay_s", 0, exclusive: true)) : null,
            k.TryGetValue("attempt_timeout_s", out var a) ? TimeSpan.FromSeconds((double)y.Decimal(a.Value, "attempt_timeout_s", 0, exclusive: true)) : null));
    }

    /// <summary>An inline schema (YAML mapping) or a path to a .json file beside the suite.</summary>
    private static JsonSchemaValidator Schema(YamlNodes y, YamlNode node, SuiteRoot root)
    {
        if (node is YamlScalarNode)
        {
            var relative = y.String(node, "output_schema");
            var file = root.Resolve(y, node, relative, "the schema file");
            if (!File.Exists(file))
            {
                throw y.Error(node, $"the schema file '{relative}' does not exist (looked in {root.BaseDirectory}).");
            }

            return Build(y, node, () => JsonSchemaValidator.Parse(File.ReadAllText(file)));
        }

        return InlineSchema(y, node, "output_schema");
    }

    /// <summary>
    /// An inline JSON Schema; an error in it is reported at the line of the part it names (<c>$.properties.id</c>),
    /// not at the schema's first line.
    /// </summary>
    internal static JsonSchemaValidator InlineSchema(YamlNodes y, YamlNode node, string what)
    {
        try
        {
            return JsonSchemaValidator.Create(YamlJson.ToElement(y.Mapping(node, what)));
        }
        catch (ArgumentException ex)
        {
            var message = Plain(ex);
            throw y.Error(SchemaPath().Match(message) is { Success: true } path ? YamlNodes.At(node, path.Groups[1].Value) : node, message);
        }
    }

    /// <summary>An argument error's message without the " (Parameter 'x')" .NET appends, which says nothing to a suite's author.</summary>
    private static string Plain(ArgumentException ex) => ex.Message.Split(" (Parameter '", 2)[0];

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\$[^:\s]*): ")]
    private static partial System.Text.RegularExpressions.Regex SchemaPath();

    private static ContextOptions Context(YamlNodes y, YamlNode node, ModelRef agentModel)
    {
        var k = y.Keys(y.Mapping(node, "context"), "context", "max_tokens", "keep_last", "summary_model");
        string? summaryModel = null;
        if (k.TryGetValue("summary_model", out var sm))
        {
            var model = Model(y, sm.Value);
            summaryModel = model.Provider == agentModel.Provider
                ? model.Model
                : throw y.Error(sm.Value, $"the summary model must speak the agent's protocol ({agentModel.Provider}), not {model.Provider}.");
        }

        return Build(y, node, () => new ContextOptions(
            k.TryGetValue("max_tokens", out var m) ? y.Int(m.Value, "max_tokens", 1) : throw y.Error(node, "context needs 'max_tokens'."),
            k.TryGetValue("keep_last", out var kl) ? y.Int(kl.Value, "keep_last", 1) : 4,
            summaryModel));
    }

    private static Dictionary<string, ApprovalRule> Approvals(YamlNodes y, YamlNode node, List<string> tools)
    {
        var rules = new Dictionary<string, ApprovalRule>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in y.Mapping(node, "approvals").Children)
        {
            var tool = y.String(keyNode, "a tool name");
            if (!tools.Contains(tool))
            {
                throw y.Error(keyNode, $"'{tool}' is not one of the agent's tools, so it can never need approval.");
            }

            if (value is YamlScalarNode)
            {
                rules[tool] = y.String(value, "an approval rule") == "always"
                    ? ApprovalRule.Always
                    : throw y.Error(value, "an approval rule is 'always' or { above: { argument: amount } }.");
                continue;
            }

            var above = y.Mapping(y.Required(y.Keys(y.Mapping(value, "an approval rule"), "an approval rule", "above"), value, "above", "An approval rule"), "above");
            if (above.Children.Count != 1)
            {
                throw y.Error(above, "above names one argument and its threshold, e.g. { amount: 50 }.");
            }

            var (argument, threshold) = above.Children.Single();
            rules[tool] = ApprovalRule.Above(y.String(argument, "an argument name"), y.Decimal(threshold, "the threshold", decimal.MinValue));
        }

        return rules;
    }

    private static List<SubAgentConfig> SubAgents(YamlNodes y, YamlNode node, SuiteRoot root, AgentConfig parent)
    {
        var result = new List<SubAgentConfig>();
        foreach (var item in y.Sequence(node, "sub_agents").Children)
        {
            var map = y.Mapping(item, "a sub-agent");
            var keys = y.Keys(map, "a sub-agent", [.. CommonKeys, "name", "description"]);
            var name = y.String(y.Required(keys, map, "name", "A sub-agent"), "name");
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') || result.Any(r => r.Name == name))
            {
                throw y.Error(keys["name"].Value, $"sub-agent name '{name}' must be unique and hold only letters, digits, '_' and '-'.");
            }

            var description = keys.TryGetValue("description", out var d) ? y.String(d.Value, "description") : $"The {name} specialist.";
            result.Add(new SubAgentConfig(name, description, Parse(y, item, root, $"sub-agent '{name}'", parent)));
        }

        return result;
    }
}
