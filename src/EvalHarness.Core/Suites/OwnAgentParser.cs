using System.Text.Json;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Core.UnderTest;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>
/// Reads an <c>agent</c> block that names a team's own agent: <c>command</c> (a process in any language) or
/// <c>dotnet</c> (a type in a built assembly). Everything is checked at load, so a bad path fails before any case runs.
/// </summary>
internal static class OwnAgentParser
{
    /// <summary>Whether an agent block names an own agent rather than the built-in runtime.</summary>
    public static bool IsOwn(YamlMappingNode map) =>
        map.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value is "command" or "dotnet") || ServedAgentParser.IsServed(map);

    public static AgentConfig Parse(YamlNodes y, YamlMappingNode map, SuiteRoot root)
    {
        var keys = y.Keys(map, "agent", ["model", "tools", "command", "env", "cwd", "timeout_s", "dotnet", "system_prompt", "vars", "price_as", .. ToolServerParser.Keys]);
        // A process reaches the model itself, so it may choose it (the reports read it from its traffic); a .NET agent is
        // handed AgentCase.ChatClient, which is built for the suite's model.
        var served = ServedAgentParser.IsServed(map);
        var model = keys.TryGetValue("model", out var m) ? AgentParser.Model(y, m.Value)
            : keys.ContainsKey("command") || served ? ModelRef.ChosenByTheAgent
            : AgentParser.Model(y, y.Required(keys, map, "model", "A .NET agent"));
        var tools = keys.TryGetValue("tools", out var t) ? y.Strings(t.Value, "tools") : [];
        ExpectationParser.ToolsUnknown |= keys.Misspelt.ContainsKey("tools");
        if ((keys.ContainsKey("command") ? 1 : 0) + (keys.ContainsKey("dotnet") ? 1 : 0) + (served ? 1 : 0) != 1)
        {
            throw y.Error(map, "an agent is one of a process (command: [...]), a .NET type (dotnet: { assembly, type }) or a service (http: { url, … }), not several.");
        }

        OwnAgent own;
        if (served)
        {
            foreach (var key in new[] { "env", "cwd", "timeout_s" }.Where(keys.ContainsKey))
            {
                throw y.Error(keys[key].Key, $"'{key}' is for process agents (command: [...]); a served agent's are agent.http.{(key == "timeout_s" ? "timeout_s" : $"start.{key}")}.");
            }

            own = ServedAgentParser.Parse(y, keys["http"].Value, root, model);
        }
        else if (keys.TryGetValue("dotnet", out var d))
        {
            foreach (var key in new[] { "env", "cwd", "timeout_s" }.Where(keys.ContainsKey))
            {
                throw y.Error(keys[key].Key, $"'{key}' is for process agents (command: [...]); a .NET agent runs in the harness's process.");
            }

            var dk = y.Keys(y.Mapping(d.Value, "dotnet"), "dotnet", "assembly", "type");
            if (!dk.TryGetValue("type", out var typeNode))
            {
                // No type: the agent is given in code (a test project's SuiteReplay or EvaluationOptions.Agent).
                own = dk.ContainsKey("assembly")
                    ? throw y.Error(d.Value, "dotnet.assembly needs dotnet.type: the agent's full type name, e.g. MyCompany.Support.SupportAgent.")
                    : new OwnAgent
                    {
                        Description = "dotnet: given in code",
                        Factory = () => throw new InvalidOperationException($"{y.File}: this suite's agent is given in code (dotnet: with no type). Pass it with SuiteReplay.AssertPassesAsync<TAgent>(…) or EvaluationOptions.Agent, or name it with dotnet.type."),
                    };
            }
            else
            {
                var typeName = y.String(typeNode.Value, "type");
                var assembly = dk.TryGetValue("assembly", out var a) ? root.Resolve(y, a.Value, y.String(a.Value, "assembly"), "the agent assembly") : null;
                Type type;
                try
                {
                    type = AgentAssembly.FindType(assembly, typeName);
                }
                catch (ArgumentException ex)
                {
                    throw y.Error(dk.TryGetValue("assembly", out var at) ? at.Value : typeNode.Value, ex.Message);
                }

                // An Agent Framework agent (an AIAgent) runs as it is, built on each case's chat client.
                own = typeof(IAgentUnderTest).IsAssignableFrom(type)
                    ? new OwnAgent { Description = $"dotnet: {typeName}", Factory = () => (IAgentUnderTest)Activator.CreateInstance(type)! }
                    : OwnAgent.FromAIAgent(FrameworkAgent.FactoryOf(type)!, $"dotnet: {typeName}");
            }
        }
        else
        {
            var command = Command(y, keys["command"].Value, "command", "[python3, agent.py]");
            var cwd = WorkingDirectory(y, keys, root, "cwd");

            own = new OwnAgent
            {
                Description = $"process: {string.Join(' ', command)}",
                Command = command,
                Environment = keys.TryGetValue("env", out var e) ? Environment(y, e.Value) : new Dictionary<string, string>(),
                WorkingDirectory = cwd,
                Timeout = keys.TryGetValue("timeout_s", out var to) ? TimeSpan.FromSeconds((double)y.Decimal(to.Value, "timeout_s", 0, exclusive: true)) : TimeSpan.FromSeconds(60),
            };
        }

        // A prompt and vars the suite gives the agent (AgentCase.SystemPrompt and Vars; a process's input object), so a team
        // compares prompts or settings as variants without a build per variant.
        var (prompt, source) = keys.TryGetValue("system_prompt", out var p) ? AgentParser.Prompt(y, p.Value, root) : (string.Empty, own.Description);
        return new AgentConfig
        {
            Model = model,
            PriceAs = keys.TryGetValue("price_as", out var pa) ? AgentParser.PriceAs(y, pa.Value, model) : null,
            SystemPrompt = prompt,
            SystemPromptSource = source,
            Tools = tools,
            Own = own,
            Vars = keys.TryGetValue("vars", out var v) ? Vars(y, v.Value) : new Dictionary<string, JsonElement>(StringComparer.Ordinal),
            ToolServers = ToolServerParser.Parse(y, keys, root, httpIsTheAgent: served),
        };
    }

    /// <summary>A command to start: a list of the program and its arguments, the program not empty.</summary>
    public static IReadOnlyList<string> Command(YamlNodes y, YamlNode node, string what, string example)
    {
        var command = node is YamlScalarNode
            ? throw y.Error(node, $"{what} is a list: the program and its arguments, e.g. {example}.")
            : y.Strings(node, what);
        return command.Count == 0 || command[0].Length == 0
            ? throw y.Error(node, $"{what} is empty: give the program and its arguments, e.g. {example}.")
            : command;
    }

    /// <summary>The folder <c>cwd</c> names, relative to the suite (the suite's folder without one); it must exist.</summary>
    public static string WorkingDirectory(YamlNodes y, KeyMap keys, SuiteRoot root, string what)
    {
        var cwd = keys.TryGetValue("cwd", out var w) ? root.Resolve(y, w.Value, y.String(w.Value, "cwd"), $"the working folder ({what})") : root.BaseDirectory;
        return Directory.Exists(cwd)
            ? cwd
            : throw y.Error(keys["cwd"].Value, $"the folder '{cwd}' does not exist ({what} is relative to the suite).");
    }

    /// <summary>A mapping of names to JSON values: a scenario's, an own agent's or a variant's <c>vars</c>.</summary>
    public static Dictionary<string, JsonElement> Vars(YamlNodes y, YamlNode node) =>
        y.Mapping(node, "vars").Children.ToDictionary(kv => y.String(kv.Key, "a variable name"), kv => YamlJson.ToElement(kv.Value), StringComparer.Ordinal);

    /// <summary>A mapping of environment variable names to values.</summary>
    public static Dictionary<string, string> Environment(YamlNodes y, YamlNode node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in y.Mapping(node, "env").Children)
        {
            var name = y.String(key, "a variable name");
            if (name.StartsWith("EVALH_", StringComparison.Ordinal) || WireProtocols.All.Any(p => p.BaseUrlVariable == name))
            {
                throw y.Error(key, $"'{name}' is set by the harness for every case; choose another name.");
            }

            result[name] = y.String(value, name);
        }

        return result;
    }
}
