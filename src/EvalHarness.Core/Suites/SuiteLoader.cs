using System.Globalization;
using System.Text.RegularExpressions;
using EvalHarness.Core.Toolkits;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>
/// Loads a suite file into a validated <see cref="Suite"/>. Every problem (bad YAML, unknown key, wrong
/// type, missing file, unknown tool) is a <see cref="SuiteException"/> naming file, line and column.
/// </summary>
public static partial class SuiteLoader
{
    /// <summary>Loads and validates the suite at <paramref name="path"/>.</summary>
    /// <exception cref="SuiteException">The suite cannot be used; the message says where and why.</exception>
    public static Suite Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new SuiteException(path, 0, 0, "is a folder; pass one suite file, such as suites/support.yaml.");
        }

        if (!File.Exists(path))
        {
            throw new SuiteException(path, 0, 0, "no such file. Check the path (it is relative to the current folder).");
        }

        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>Parses suite YAML; <paramref name="path"/> names it in errors and anchors relative paths.</summary>
    public static Suite Parse(string path, string yaml)
    {
        var y = new YamlNodes(path);
        var rootNode = YamlNodes.Parse(path, yaml);
        var root = y.Mapping(rootNode, "a suite");
        var keys = y.Keys(root, "the suite", "suite", "agent", "variants", "trials", "fixtures", "scenarios");
        var nameNode = y.Required(keys, root, "suite", "A suite");
        var name = Identifier(y, nameNode, "the suite name");
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var agent = ParseAgent(y, y.Required(keys, root, "agent", "A suite"), baseDirectory);
        var variants = keys.TryGetValue("variants", out var v) ? ParseVariants(y, v.Value, agent, baseDirectory) : [new Variant("default", agent)];
        var trials = keys.TryGetValue("trials", out var t) ? y.Int(t.Value, "trials", 1) : 1;
        var fixtures = keys.TryGetValue("fixtures", out var f) ? ParseFixtures(y, f.Value) : new Fixtures();
        var scenarios = ParseScenarios(y, y.Required(keys, root, "scenarios", "A suite"), variants);
        return new Suite { Name = name, FilePath = path, Variants = variants, Trials = trials, Fixtures = fixtures, Scenarios = scenarios };
    }

    private static AgentConfig ParseAgent(YamlNodes y, YamlNode node, string baseDirectory)
    {
        var map = y.Mapping(node, "agent");
        var keys = y.Keys(map, "agent", "model", "system_prompt", "tools", "limits");
        var model = ParseModel(y, y.Required(keys, map, "model", "agent"));
        var (prompt, source) = ParsePrompt(y, y.Required(keys, map, "system_prompt", "agent"), baseDirectory);
        var tools = keys.TryGetValue("tools", out var t) ? ParseTools(y, t.Value) : [];
        var maxSteps = 10;
        if (keys.TryGetValue("limits", out var l))
        {
            var limits = y.Keys(y.Mapping(l.Value, "limits"), "limits", "max_steps");
            if (limits.TryGetValue("max_steps", out var m))
            {
                maxSteps = y.Int(m.Value, "max_steps", 1);
            }
        }

        return new AgentConfig(model, prompt, source, tools, maxSteps);
    }

    private static ModelRef ParseModel(YamlNodes y, YamlNode node) =>
        ModelRef.TryParse(y.String(node, "model"), out var model, out var error) ? model : throw y.Error(node, error);

    /// <summary>A prompt ending in .md or .txt is a file relative to the suite; anything else is the prompt itself.</summary>
    private static (string Text, string Source) ParsePrompt(YamlNodes y, YamlNode node, string baseDirectory)
    {
        var value = y.String(node, "system_prompt");
        if (value.Contains('\n', StringComparison.Ordinal) || !(value.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || value.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)))
        {
            return (value, "inline");
        }

        var file = Path.Combine(baseDirectory, value);
        return File.Exists(file)
            ? (File.ReadAllText(file).TrimEnd(), value)
            : throw y.Error(node, $"the prompt file '{value}' does not exist (looked in {baseDirectory}).");
    }

    private static IReadOnlyList<string> ParseTools(YamlNodes y, YamlNode node)
    {
        var list = y.Sequence(node, "tools");
        var tools = new List<string>();
        var wireNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            var tool = y.String(item, "a tool");
            if (!ToolCatalog.Names.Contains(tool))
            {
                var hint = YamlNodes.Suggest(tool, ToolCatalog.Names) is { } close ? $"Did you mean '{close}'?" : $"Available: {string.Join(", ", ToolCatalog.Names)}.";
                throw y.Error(item, $"unknown tool '{tool}'. {hint}");
            }

            if (!wireNames.TryAdd(ToolCatalog.WireName(tool), tool))
            {
                throw y.Error(item, $"'{tool}' is listed twice, or clashes with '{wireNames[ToolCatalog.WireName(tool)]}' (the model would see two tools named '{ToolCatalog.WireName(tool)}').");
            }

            tools.Add(tool);
        }

        return tools;
    }

    private static List<Variant> ParseVariants(YamlNodes y, YamlNode node, AgentConfig agent, string baseDirectory)
    {
        var variants = new List<Variant>();
        foreach (var item in y.Sequence(node, "variants").Children)
        {
            var map = y.Mapping(item, "a variant");
            var keys = y.Keys(map, "a variant", "name", "model", "system_prompt");
            var name = Identifier(y, y.Required(keys, map, "name", "A variant"), "a variant name");
            if (variants.Any(v => v.Name == name))
            {
                throw y.Error(keys["name"].Value, $"there are two variants named '{name}'.");
            }

            var config = agent;
            if (keys.TryGetValue("model", out var m))
            {
                config = config with { Model = ParseModel(y, m.Value) };
            }

            if (keys.TryGetValue("system_prompt", out var p))
            {
                var (text, source) = ParsePrompt(y, p.Value, baseDirectory);
                config = config with { SystemPrompt = text, SystemPromptSource = source };
            }

            variants.Add(new Variant(name, config));
        }

        return variants.Count > 0 ? variants : throw y.Error(node, "variants is empty: list at least one, or leave the key out.");
    }

    private static Fixtures ParseFixtures(YamlNodes y, YamlNode node)
    {
        var keys = y.Keys(y.Mapping(node, "fixtures"), "fixtures", "orders");
        var orders = new List<Order>();
        if (keys.TryGetValue("orders", out var o))
        {
            foreach (var item in y.Sequence(o.Value, "orders").Children)
            {
                var map = y.Mapping(item, "an order");
                var k = y.Keys(map, "an order", "id", "customer", "total", "status", "item");
                var totalNode = y.Required(k, map, "total", "An order");
                var totalText = y.String(totalNode, "total");
                if (!decimal.TryParse(totalText, NumberStyles.Number, CultureInfo.InvariantCulture, out var total) || total < 0)
                {
                    throw y.Error(totalNode, $"total must be a non-negative amount such as 42.00, not '{totalText}'.");
                }

                var id = y.String(y.Required(k, map, "id", "An order"), "id");
                if (orders.Any(x => x.Id.Equals(id, StringComparison.OrdinalIgnoreCase)))
                {
                    throw y.Error(k["id"].Value, $"there are two orders with id '{id}'.");
                }

                orders.Add(new Order(
                    id,
                    y.String(y.Required(k, map, "customer", "An order"), "customer"),
                    total,
                    k.TryGetValue("status", out var s) ? y.String(s.Value, "status") : "delivered",
                    k.TryGetValue("item", out var i) ? y.String(i.Value, "item") : string.Empty));
            }
        }

        return new Fixtures { Orders = orders };
    }

    private static List<Scenario> ParseScenarios(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants)
    {
        var scenarios = new List<Scenario>();
        foreach (var item in y.Sequence(node, "scenarios").Children)
        {
            var map = y.Mapping(item, "a scenario");
            var keys = y.Keys(map, "a scenario", "name", "tags", "input", "expect");
            var name = Identifier(y, y.Required(keys, map, "name", "A scenario"), "a scenario name");
            if (scenarios.Any(s => s.Name == name))
            {
                throw y.Error(keys["name"].Value, $"there are two scenarios named '{name}'; names must be unique within a suite.");
            }

            var tags = keys.TryGetValue("tags", out var t) ? y.Strings(t.Value, "tags") : [];
            var input = y.String(y.Required(keys, map, "input", $"Scenario '{name}'"), "input");
            var expect = keys.TryGetValue("expect", out var e) ? ParseExpectations(y, e.Value, variants) : new Expectations();
            scenarios.Add(new Scenario(name, tags, input, expect, (int)item.Start.Line));
        }

        return scenarios.Count > 0 ? scenarios : throw y.Error(node, "scenarios is empty: a suite needs at least one scenario.");
    }

    private static Expectations ParseExpectations(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants)
    {
        var map = y.Mapping(node, "expect");
        var keys = y.Keys(map, "expect", "output", "tools", "max_steps");
        var expect = new Expectations();
        if (keys.TryGetValue("output", out var o))
        {
            var output = y.Keys(y.Mapping(o.Value, "expect.output"), "expect.output", "contains");
            expect = expect with { OutputContains = output.TryGetValue("contains", out var c) ? y.Strings(c.Value, "contains") : [] };
        }

        if (keys.TryGetValue("tools", out var t))
        {
            var tools = y.Keys(y.Mapping(t.Value, "expect.tools"), "expect.tools", "called");
            if (tools.TryGetValue("called", out var called))
            {
                expect = expect with { ToolsCalled = y.Sequence(called.Value, "called").Children.Select(c => ParseToolExpectation(y, c, variants)).ToList() };
            }
        }

        if (keys.TryGetValue("max_steps", out var m))
        {
            expect = expect with { MaxSteps = y.Int(m.Value, "max_steps", 1) };
        }

        return expect;
    }

    private static ToolExpectation ParseToolExpectation(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants)
    {
        var map = y.Mapping(node, "a called tool");
        var keys = y.Keys(map, "a called tool", "name", "args");
        var nameNode = y.Required(keys, map, "name", "A called tool");
        var name = y.String(nameNode, "name");
        var allowed = variants.SelectMany(v => v.Agent.Tools).Distinct().ToList();
        if (!allowed.Contains(name))
        {
            var hint = YamlNodes.Suggest(name, allowed) is { } close ? $" Did you mean '{close}'?" : string.Empty;
            throw y.Error(nameNode, $"'{name}' is not one of the agent's tools, so it can never be called.{hint}");
        }

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

    private static string Identifier(YamlNodes y, YamlNode node, string what)
    {
        var value = y.String(node, what);
        return IdentifierPattern().IsMatch(value)
            ? value
            : throw y.Error(node, $"{what} '{value}' may hold only letters, digits, '-', '_' and '.' (it becomes part of a file path).");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex IdentifierPattern();
}
