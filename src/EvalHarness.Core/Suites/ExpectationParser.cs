using EvalHarness.Agents.Runtime;
using YamlDotNet.RepresentationModel;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Suites;

/// <summary>Reads a scenario's <c>expect</c> block; tool names and counters are checked against what can happen.</summary>
internal static class ExpectationParser
{
    /// <summary>The toolkits the suite being loaded loads (set by the loader before it reads the agent and scenarios).</summary>
    [ThreadStatic]
    internal static IReadOnlyList<IToolkit>? Toolkits;

    /// <summary>
    /// Set when an agent's <c>tools</c> key is misspelt (already an error): the tools it meant are unknown, so expected tool
    /// names are not checked against them, which would add an error for every name.
    /// </summary>
    [ThreadStatic]
    internal static bool ToolsUnknown;

    /// <summary>Where the suite being loaded may read files (set by the loader before it reads scenarios), for evaluator assemblies.</summary>
    [ThreadStatic]
    internal static SuiteRoot? Root;

    /// <summary>What a suite that still names the ICaseAssertion plug-ins of 0.1.0 is told.</summary>
    internal const string AssertionsMoved =
        "custom assertions (ICaseAssertion) are now Microsoft.Extensions.AI.Evaluation evaluators: implement IEvaluator and name it under "
        + "a scenario's expect.evaluators, with what it needs under args:, e.g. evaluators: [{ type: MyTeam.ShortAnswer, assembly: bin/MyTeam.Evals.dll, "
        + "metric: Short, args: { max_words: 8 } }]; the assertions: paths become each evaluator's assembly: "
        + "(docs/suite-format.md, \"Evaluators from Microsoft.Extensions.AI.Evaluation\").";

    /// <summary>The keys of a scenario's <c>expect</c>.</summary>
    internal static readonly string[] Keys =
        ["outcome", "output", "tools", "counters", "state", "judge", "evaluators", "custom", "max_steps", "max_tokens", "max_cost_usd", "max_latency_ms", "dialogue"];

    public static Expectations Parse(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants)
    {
        var map = y.Mapping(node, "expect");
        var keys = y.Keys(map, "expect", Keys);

        // An own agent names its tools, counters and state itself: they are checked only against what the suite declares.
        var own = variants.Any(v => v.Agent.Own is not null);
        var callable = variants.SelectMany(v => Callable(v.Agent)).Distinct().ToList();
        var anyTool = (own && callable.Count == 0) || ToolsUnknown;
        // A tool server's calls (inventory.check_stock, prices GET /price) may be expected too: read from its traffic.
        callable.AddRange(variants.SelectMany(v => v.Agent.ToolServers).Select(s => $"{s.Kind}:{s.Name}").Distinct());
        var wireNames = anyTool ? [] : WireNames(variants);
        var expect = new Expectations();

        // Each key is read on its own: an error in one is collected and the others are still read, so a run lists them all.
        void Part(string key, Action<(YamlScalarNode Key, YamlNode Value)> read)
        {
            if (keys.TryGetValue(key, out var entry))
            {
                y.Try(() => { read(entry); return true; }, false);
            }
        }
        Part("outcome", oc =>
        {
            var text = y.String(oc.Value, "outcome");
            expect = expect with
            {
                Outcome = Outcomes.IsValid(text)
                    ? text
                    : throw y.Error(oc.Value, $"unknown outcome '{text}'.{Hint(text, Outcomes.Names)}"),
            };
        });

        Part("output", o =>
        {
            var output = y.Keys(y.Mapping(o.Value, "expect.output"), "expect.output", "contains", "not_contains", "regex", "equals", "json_schema", "json_path");
            expect = expect with
            {
                OutputContains = output.TryGetValue("contains", out var c) ? y.Strings(c.Value, "contains") : [],
                OutputNotContains = output.TryGetValue("not_contains", out var nc) ? y.Strings(nc.Value, "not_contains") : [],
                OutputRegex = output.TryGetValue("regex", out var rx) ? [.. (rx.Value is YamlScalarNode ? [rx.Value] : y.Sequence(rx.Value, "regex").Children).Select(n => Regex(y, n))] : [],
                OutputEquals = output.TryGetValue("equals", out var eq) ? y.String(eq.Value, "equals") : null,
                OutputJsonSchema = output.TryGetValue("json_schema", out var js) ? Schema(y, js.Value) : null,
                OutputJsonPath = output.TryGetValue("json_path", out var jp) ? Paths(y, jp.Value, "json_path", Assertions.JsonPath.IsValid, "a JSON path such as $.category or $.items[0].id") : new Dictionary<string, System.Text.Json.JsonElement>(),
            };
        });

        Part("tools", t =>
        {
            var tools = y.Keys(y.Mapping(t.Value, "expect.tools"), "expect.tools", "called", "not_called", "order", "max_calls");
            if (tools.TryGetValue("order", out var order))
            {
                var text = y.String(order.Value, "order");
                expect = expect with
                {
                    ToolsOrder = text switch
                    {
                        "unordered" => ToolOrder.Unordered,
                        "subset" => ToolOrder.Subset,
                        "strict" => ToolOrder.Strict,
                        "superset" => ToolOrder.Superset,
                        _ => throw y.Error(order.Value, $"order must be unordered, subset, strict or superset, not '{text}'."),
                    },
                };
            }

            if (tools.TryGetValue("max_calls", out var maxCalls))
            {
                expect = expect with { MaxToolCalls = y.Int(maxCalls.Value, "max_calls", 0) };
            }

            if (tools.TryGetValue("called", out var called))
            {
                expect = expect with { ToolsCalled = [.. y.Sequence(called.Value, "called").Children.Select(c => y.Try(() => ToolExpectation(y, c, anyTool ? null : callable, wireNames), null)).OfType<ToolExpectation>()] };
            }

            if (tools.TryGetValue("not_called", out var notCalled))
            {
                expect = expect with
                {
                    ToolsNotCalled = [.. (notCalled.Value is YamlScalarNode ? [notCalled.Value] : y.Sequence(notCalled.Value, "not_called").Children).Select(n => y.Try(() => ToolName(y, n, anyTool ? null : callable, wireNames), null)).OfType<string>()],
                };
            }
        });

        Part("counters", counters =>
        {
            var values = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in y.Mapping(counters.Value, "counters").Children)
            {
                var name = y.String(keyNode, "a counter");
                values[name] = own || RunCounters.Names.Contains(name)
                    ? y.Int(value, name, 0)
                    : throw y.Error(keyNode, $"unknown counter '{name}'.{Hint(name, RunCounters.Names)}");
            }

            expect = expect with { Counters = values };
        });

        Part("judge", judge =>
        {
            var j = y.Keys(y.Mapping(judge.Value, "judge"), "judge", "rubric", "min_score", "model");
            var minScore = j.TryGetValue("min_score", out var ms) ? (double)y.Decimal(ms.Value, "min_score", 0) : 0.7;
            if (minScore > 1)
            {
                throw y.Error(j["min_score"].Value, $"min_score is a score from 0 to 1, not {minScore}.");
            }

            var model = j.TryGetValue("model", out var jm) ? AgentParser.HelperModel(y, jm.Value) : (ModelRef?)null;
            if (model is null)
            {
                AgentParser.RequireHelperModel(y, judge.Value, variants, "the judge");
            }

            expect = expect with { Judge = new JudgeExpectation(y.String(y.Required(j, judge.Value, "rubric", "A judge"), "rubric"), minScore, model) };
        });

        Part("evaluators", evaluators =>
        {
            var list = new List<EvaluatorExpectation>();
            foreach (var item in y.Sequence(evaluators.Value, "evaluators").Children)
            {
                var e = y.Keys(y.Mapping(item, "an evaluator"), "an evaluator", "type", "assembly", "metric", "min", "args");
                var typeNode = y.Required(e, item, "type", "An evaluator");
                var metricNode = y.Required(e, item, "metric", "An evaluator");
                var typeName = y.String(typeNode, "type");
                var metric = y.String(metricNode, "metric");
                var assembly = e.TryGetValue("assembly", out var a) && Root is { } root ? root.Resolve(y, a.Value, y.String(a.Value, "assembly"), "the evaluator assembly") : null;
                Microsoft.Extensions.AI.Evaluation.IEvaluator evaluator;
                try
                {
                    evaluator = Assertions.Evaluators.Create(assembly, typeName);
                }
                catch (ArgumentException ex)
                {
                    throw y.Error(a.Value ?? typeNode, ex.Message);
                }

                if (!evaluator.EvaluationMetricNames.Contains(metric))
                {
                    throw y.Error(metricNode, $"{typeName} has no metric '{metric}'. Its metrics: {string.Join(", ", evaluator.EvaluationMetricNames)}.");
                }

                list.Add(new EvaluatorExpectation(evaluator, typeName, metric, e.TryGetValue("min", out var m) ? (double)y.Decimal(m.Value, "min", decimal.MinValue) : null)
                {
                    Arguments = e.TryGetValue("args", out var args) ? YamlJson.ToElement(args.Value) : default,
                });
            }

            expect = expect with { Evaluators = list };
        });

        Part("state", state =>
        {
            expect = expect with { State = Paths(y, state.Value, "state", own ? UnderTest.ReportedState.IsValid : IsStatePath, own ? "a path into the state your agent reports, such as orders.A100.status or items[0].id" : "a state path such as orders.A100.status, orders.count, mail.sent.count, mail.sent[0].to or memory.count") };
        });

        Part("custom", custom => throw y.Error(custom.Key, AssertionsMoved));

        Part("dialogue", d =>
        {
            var dialogue = y.Keys(y.Mapping(d.Value, "expect.dialogue"), "expect.dialogue", "min_turns", "max_turns", "ended_by");
            var ending = dialogue.TryGetValue("ended_by", out var eb) ? y.String(eb.Value, "ended_by") : null;
            if (ending is not null && !DialogueExpectation.Endings.Contains(ending))
            {
                throw y.Error(eb.Value, $"ended_by must be one of {string.Join(", ", DialogueExpectation.Endings)}, not '{ending}'.");
            }

            expect = expect with
            {
                Dialogue = new DialogueExpectation(
                    dialogue.TryGetValue("min_turns", out var min) ? y.Int(min.Value, "min_turns", 1) : null,
                    dialogue.TryGetValue("max_turns", out var max) ? y.Int(max.Value, "max_turns", 1) : null,
                    ending),
            };
        });

        Part("max_steps", m =>
        {
            expect = expect with { MaxSteps = y.Int(m.Value, "max_steps", 1) };
        });

        Part("max_tokens", mt =>
        {
            expect = expect with { MaxTokens = y.Int(mt.Value, "max_tokens", 1) };
        });

        Part("max_cost_usd", mc =>
        {
            expect = expect with { MaxCostUsd = y.Decimal(mc.Value, "max_cost_usd", 0, exclusive: true) };
        });

        Part("max_latency_ms", ml =>
        {
            expect = expect with { MaxLatencyMs = (double)y.Decimal(ml.Value, "max_latency_ms", 0, exclusive: true) };
        });

        return expect;
    }

    /// <summary>A built-in state path, or one under a loaded toolkit's name (which that toolkit reads).</summary>
    private static bool IsStatePath(string path) =>
        global::EvalHarness.BuiltIn.StateReader.IsValid(path)
        || (Toolkits ?? []).Any(t => path.StartsWith(t.Name + ".", StringComparison.Ordinal) && path.Length > t.Name.Length + 1);

    /// <summary>The names a run's tool calls can carry: the agent's tools, its specialists' tools, and <c>ask_&lt;specialist&gt;</c>.</summary>
    internal static IEnumerable<string> Callable(AgentConfig agent) =>
        agent.Tools.Concat(agent.SubAgents.SelectMany(s => s.Agent.Tools)).Concat(agent.SubAgents.Select(s => $"ask_{s.Name}"));

    /// <summary>
    /// The built-in runtime's tools by the name the model sees (<c>calculate</c> for <c>calculator.evaluate</c>), which a
    /// script calls them by, so an expectation may use the same name; a run reports calls by the qualified name.
    /// </summary>
    private static Dictionary<string, string> WireNames(IReadOnlyList<Variant> variants)
    {
        var toolkits = Toolkits ?? [];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var agent in variants.Select(v => v.Agent).Where(a => a.Own is null))
        {
            foreach (var tool in agent.Tools.Concat(agent.SubAgents.SelectMany(s => s.Agent.Tools)).Where(t => global::EvalHarness.BuiltIn.ToolCatalog.Contains(t, toolkits)))
            {
                names.TryAdd(global::EvalHarness.BuiltIn.ToolCatalog.WireName(tool, toolkits), tool);
            }
        }

        return names;
    }

    private static string ToolName(YamlNodes y, YamlNode node, List<string>? callable, Dictionary<string, string> wireNames)
    {
        var name = y.String(node, "a tool name");
        return callable is null || callable.Contains(name) || McpTools.Covers(callable, name) ? name
            : wireNames.TryGetValue(name, out var qualified) ? qualified
            : throw y.Error(node, $"'{name}' is not one of the agent's tools, so it can never be called.{Hint(name, callable.Select(AsExpected))}");
    }

    private static ToolExpectation ToolExpectation(YamlNodes y, YamlNode node, List<string>? callable, Dictionary<string, string> wireNames)
    {
        var map = y.Mapping(node, "a called tool");
        var keys = y.Keys(map, "a called tool", "name", "args");
        var name = ToolName(y, y.Required(keys, map, "name", "A called tool"), callable, wireNames);
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

    private static System.Text.RegularExpressions.Regex Regex(YamlNodes y, YamlNode node)
    {
        var pattern = y.String(node, "a regex");
        try
        {
            return new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw y.Error(node, $"'{pattern}' is not a valid regular expression: {ex.Message}");
        }
    }

    private static Agents.Schema.JsonSchemaValidator Schema(YamlNodes y, YamlNode node)
    {
        return AgentParser.InlineSchema(y, node, "json_schema");
    }

    private static Dictionary<string, System.Text.Json.JsonElement> Paths(YamlNodes y, YamlNode node, string what, Func<string, bool> valid, string example)
    {
        var result = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in y.Mapping(node, what).Children)
        {
            var path = y.String(keyNode, "a path");
            result[valid(path) ? path : throw y.Error(keyNode, $"'{path}' is not {example}.")] = YamlJson.ToElement(value);
        }

        return result;
    }

    /// <summary>How an expectation names a tool server's calls: <c>mcp:inventory</c> as <c>inventory.&lt;tool&gt;</c>, <c>http:prices</c> as <c>prices &lt;METHOD&gt; &lt;path&gt;</c>.</summary>
    private static string AsExpected(string callable) =>
        callable.StartsWith("http:", StringComparison.Ordinal) ? $"{callable["http:".Length..]} <METHOD> <path>"
        : McpTools.TryParse(callable, out var server, out var tool) ? $"{server}.{tool ?? "<tool>"}"
        : callable;

    private static string Hint(string word, IEnumerable<string> known) =>
        YamlNodes.Suggest(word, known) is { } close ? $" Did you mean '{close}'?" : $" Known: {string.Join(", ", known)}.";
}
