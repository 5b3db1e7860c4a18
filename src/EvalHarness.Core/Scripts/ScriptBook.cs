using EvalHarness.Cassettes.Scripted;
using EvalHarness.Core.Suites;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Scripts;

/// <summary>
/// The scripted model turns for one suite, read from its script file (by default
/// <c>scripts/&lt;suite&gt;.yaml</c> beside the suite). Scenarios are listed under <c>default</c>, and a
/// variant that behaves differently lists its own under <c>variants: { name: { scenario: turns } }</c>.
/// </summary>
public sealed class ScriptBook
{
    private readonly string _suite;
    private readonly Dictionary<string, IReadOnlyList<ScriptedTurn>> _default;
    private readonly Dictionary<string, Dictionary<string, IReadOnlyList<ScriptedTurn>>> _variants;

    private ScriptBook(string suite, Dictionary<string, IReadOnlyList<ScriptedTurn>> @default, Dictionary<string, Dictionary<string, IReadOnlyList<ScriptedTurn>>> variants)
    {
        _suite = suite;
        _default = @default;
        _variants = variants;
    }

    /// <summary>The script file a suite uses unless told otherwise.</summary>
    public static string DefaultPathFor(Suite suite) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(suite.FilePath))!, "scripts", $"{suite.Name}.yaml");

    /// <summary>Loads a script file for <paramref name="suite"/>; every scenario it names must exist in the suite.</summary>
    /// <exception cref="SuiteException">The file is missing or malformed.</exception>
    public static ScriptBook Load(string path, Suite suite)
    {
        if (!File.Exists(path))
        {
            throw new SuiteException(path, 0, 0, $"no script file for suite '{suite.Name}'. The scripted upstream needs one: list each scenario's model turns there, or name another file with --script.");
        }

        var y = new YamlNodes(path);
        var root = y.Mapping(YamlNodes.Parse(path, File.ReadAllText(path)), "a script file");
        var keys = y.Keys(root, "the script file", "default", "variants");
        var scenarioNames = suite.Scenarios.Select(s => s.Name).ToList();
        var defaults = keys.TryGetValue("default", out var d) ? ParseScenarios(y, d.Value, scenarioNames) : [];
        var variants = new Dictionary<string, Dictionary<string, IReadOnlyList<ScriptedTurn>>>(StringComparer.Ordinal);
        if (keys.TryGetValue("variants", out var v))
        {
            foreach (var (keyNode, value) in y.Mapping(v.Value, "variants").Children)
            {
                var name = y.String(keyNode, "a variant name");
                if (suite.Variants.All(x => x.Name != name))
                {
                    throw y.Error(keyNode, $"the suite has no variant '{name}'. Variants: {string.Join(", ", suite.Variants.Select(x => x.Name))}.");
                }

                variants[name] = ParseScenarios(y, value, scenarioNames);
            }
        }

        return new ScriptBook(suite.Name, defaults, variants);
    }

    /// <summary>The turns for cassette <c>suite/variant/scenario/tN</c>, or null when the script has none.</summary>
    public IReadOnlyList<ScriptedTurn>? Find(string cassetteId)
    {
        var parts = cassetteId.Split('/');
        if (parts.Length != 4 || parts[0] != _suite)
        {
            return null;
        }

        return _variants.TryGetValue(parts[1], out var own) && own.TryGetValue(parts[2], out var turns) ? turns
            : _default.GetValueOrDefault(parts[2]);
    }

    private static Dictionary<string, IReadOnlyList<ScriptedTurn>> ParseScenarios(YamlNodes y, YamlNode node, List<string> scenarioNames)
    {
        var result = new Dictionary<string, IReadOnlyList<ScriptedTurn>>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in y.Mapping(node, "a list of scenarios").Children)
        {
            var name = y.String(keyNode, "a scenario name");
            if (!scenarioNames.Contains(name))
            {
                var hint = YamlNodes.Suggest(name, scenarioNames) is { } close ? $" Did you mean '{close}'?" : string.Empty;
                throw y.Error(keyNode, $"the suite has no scenario '{name}'.{hint}");
            }

            result[name] = y.Sequence(value, $"the turns of '{name}'").Children.Select(t => ParseTurn(y, t)).ToList();
        }

        return result;
    }

    private static ScriptedTurn ParseTurn(YamlNodes y, YamlNode node)
    {
        var map = y.Mapping(node, "a turn");
        var keys = y.Keys(map, "a turn", "text", "tools", "error", "latency_ms");
        if (!keys.ContainsKey("text") && !keys.ContainsKey("tools") && !keys.ContainsKey("error"))
        {
            throw y.Error(map, "a turn needs text, tools or error.");
        }

        var turn = new ScriptedTurn
        {
            Text = keys.TryGetValue("text", out var text) ? y.String(text.Value, "text") : null,
            LatencyMs = keys.TryGetValue("latency_ms", out var latency) ? y.Int(latency.Value, "latency_ms", 0) : null,
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
                calls.Add(new ScriptedToolCall(y.String(name, "a tool name"), YamlJson.ToElement(y.Mapping(args, "the tool's arguments"))));
            }

            turn = turn with { ToolCalls = calls };
        }

        if (keys.TryGetValue("error", out var error))
        {
            var e = y.Keys(y.Mapping(error.Value, "error"), "error", "status", "message");
            turn = turn with
            {
                ErrorStatus = y.Int(y.Required(e, error.Value, "status", "error"), "status", 400),
                ErrorMessage = e.TryGetValue("message", out var m) ? y.String(m.Value, "message") : null,
            };
        }

        return turn;
    }
}
