using System.Text.RegularExpressions;
using EvalHarness.Agents.Approvals;
using YamlDotNet.RepresentationModel;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Suites;

/// <summary>
/// Loads a suite file into a validated <see cref="Suite"/>. Every problem (bad YAML, unknown key, wrong
/// type, missing file, unknown tool, bad limit or schema) is a <see cref="SuiteException"/> naming file,
/// line and column, raised at load time so nothing fails mid-run.
/// </summary>
public static partial class SuiteLoader
{
    /// <summary>Loads and validates the suite at <paramref name="path"/>.</summary>
    /// <exception cref="SuiteException">The suite cannot be used; the message says where and why (every problem found, up to twenty).</exception>
    public static Suite Load(string path, SuiteLoadOptions? options = null)
    {
        if (Directory.Exists(path))
        {
            throw new SuiteException(path, 0, 0, "is a folder; pass one suite file, such as suites/support.yaml.");
        }

        if (!File.Exists(path))
        {
            throw new SuiteException(path, 0, 0, "no such file. Check the path (it is relative to the current folder).");
        }

        return Parse(path, File.ReadAllText(path), options);
    }

    /// <summary>Parses suite YAML; <paramref name="path"/> names it in errors and anchors relative paths.</summary>
    /// <exception cref="SuiteException">The suite cannot be used; the message says where and why (every problem found, up to twenty).</exception>
    public static Suite Parse(string path, string yaml, SuiteLoadOptions? options = null)
    {
        // Problems are collected where reading can go on (a key, a scenario, an include), and the load fails at the end
        // with all of them; what the rest depends on (the agent, toolkits, assertions) ends it at once.
        var errors = new SuiteErrors();
        var y = new YamlNodes(path, errors);
        var root = y.Mapping(YamlNodes.Parse(path, yaml), "a suite");
        var keys = y.Keys(root, "the suite", "suite", "include", "assertions", "toolkits", "agent", "variants", "trials", "fixtures", "cassettes", "defaults", "scenarios");
        var name = errors.Try(() => Identifier(y, y.Required(keys, root, "suite", "A suite"), "the suite name"), "suite");
        var suiteRoot = new SuiteRoot(path, options ?? SuiteLoadOptions.Default);

        // Toolkits first: the agent's tools, the fixtures and the state paths may be theirs.
        var toolkits = keys.TryGetValue("toolkits", out var tk) ? errors.Must(() => LoadToolkits(y, tk.Value, suiteRoot)) : [];
        ExpectationParser.Toolkits = toolkits; // read while this thread parses the agent and the scenarios below
        ExpectationParser.ToolsUnknown = false;
        var agent = errors.Must(() => AgentParser.Parse(y, y.Required(keys, root, "agent", "A suite"), suiteRoot, "agent", parent: null));
        var variants = keys.TryGetValue("variants", out var v) ? errors.Must(() => ParseVariants(y, v.Value, agent, suiteRoot)) : [new Variant("default", agent)];
        var trials = keys.TryGetValue("trials", out var t) ? errors.Try(() => y.Int(t.Value, "trials", 1), 1) : 1;
        var fixtures = keys.TryGetValue("fixtures", out var f) ? errors.Try(() => FixtureParser.Parse(y, f.Value, toolkits), new Fixtures()) : new Fixtures();
        if (keys.TryGetValue("assertions", out var asm))
        {
            errors.Add(y.Error(asm.Key, ExpectationParser.AssertionsMoved));
        }

        ExpectationParser.Root = suiteRoot;
        var defaults = keys.TryGetValue("defaults", out var d) ? errors.Try(() => y.Mapping(d.Value, "defaults"), null) : null;
        if (defaults is not null)
        {
            y.Keys(defaults, "defaults", "tags", "vars", "expect", "approvals", "memories");
        }

        var scenarios = errors.Must(() => ParseScenarios(y, y.Required(keys, root, "scenarios", "A suite"), variants, defaults, allowEmpty: false));
        if (keys.TryGetValue("include", out var inc))
        {
            // Shared files bring more fixtures and scenarios; their errors name their own file and line.
            foreach (var item in errors.Try(() => y.Sequence(inc.Value, "include").Children, []))
            {
                fixtures = errors.Try(() => Include(y, item, suiteRoot, path, fixtures, scenarios, variants, defaults, toolkits), fixtures);
            }
        }

        var cassettes = keys.TryGetValue("cassettes", out var c) ? errors.Try(() => ParseCassettes(y, c.Value, suiteRoot), new CassetteSettings()) : new CassetteSettings();
        errors.ThrowIfAny();
        return new Suite { Name = name, FilePath = path, Variants = variants, Trials = trials, Fixtures = fixtures, Cassettes = cassettes, Scenarios = scenarios, Toolkits = toolkits, AllowOutside = suiteRoot.AllowOutside };
    }

    private static CassetteSettings ParseCassettes(YamlNodes y, YamlNode node, SuiteRoot root)
    {
        var keys = y.Keys(y.Mapping(node, "cassettes"), "cassettes", "dir", "record_mode", "match", "ignore", "scrub", "record_concurrency");
        var settings = new CassetteSettings();
        if (keys.TryGetValue("dir", out var d))
        {
            var dir = y.String(d.Value, "dir");
            settings = settings with
            {
                Directory = dir.Length > 0 ? root.Resolve(y, d.Value, dir, "the cassette folder") : throw y.Error(d.Value, "dir must name a folder, relative to the suite file (e.g. cassettes)."),
            };
        }

        if (keys.TryGetValue("record_mode", out var m))
        {
            var text = y.String(m.Value, "record_mode");
            settings = settings with
            {
                RecordMode = Cassettes.Server.RecordModes.Names.TryGetValue(text, out var mode)
                    ? mode
                    : throw y.Error(m.Value, $"record_mode must be one of {string.Join(", ", Cassettes.Server.RecordModes.Names.Keys)}, not '{text}'."),
            };
        }

        if (keys.TryGetValue("record_concurrency", out var rc))
        {
            // Per provider, the most cases at once while recording live: the team's rate limit, known in advance.
            var limits = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (providerNode, value) in y.Mapping(rc.Value, "record_concurrency").Children)
            {
                var provider = y.String(providerNode, "a provider");
                limits[provider] = Providers.Names.Contains(provider)
                    ? y.Int(value, $"record_concurrency.{provider}", 1)
                    : throw y.Error(providerNode, $"record_concurrency names providers ({string.Join(", ", Providers.Names)}), not '{provider}'.");
            }

            settings = settings with { RecordConcurrency = limits };
        }

        if (keys.TryGetValue("match", out var mt))
        {
            var text = y.String(mt.Value, "match");
            settings = settings with
            {
                Match = Cassettes.Server.RecordModes.Matches.TryGetValue(text, out var match)
                    ? match
                    : throw y.Error(mt.Value, $"match must be ordered or unordered, not '{text}'."),
            };
        }

        if (keys.TryGetValue("ignore", out var ig))
        {
            var paths = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in y.Sequence(ig.Value, "ignore").Children)
            {
                var path = y.String(item, "an ignored path");
                try
                {
                    // Kept in the spelling matching compares; a form it cannot follow would ignore nothing, so it is refused here.
                    paths.Add(Cassettes.Matching.IgnoredPath.Normalize(path));
                }
                catch (FormatException ex)
                {
                    throw y.Error(item, ex.Message);
                }
            }

            settings = settings with { Ignore = paths };
        }

        if (keys.TryGetValue("scrub", out var sc))
        {
            var scrubbers = new List<Cassettes.Secrets.Scrubber>();
            foreach (var item in y.Sequence(sc.Value, "scrub").Children)
            {
                var map = y.Mapping(item, "a scrubber");
                var k = y.Keys(map, "a scrubber", "pattern", "replace");
                var patternNode = y.Required(k, map, "pattern", "A scrubber");
                try
                {
                    scrubbers.Add(Cassettes.Secrets.Scrubber.Create(y.String(patternNode, "pattern"), k.TryGetValue("replace", out var r) ? y.String(r.Value, "replace") : "[scrubbed]"));
                }
                catch (ArgumentException ex)
                {
                    throw y.Error(patternNode, ex.Message);
                }
            }

            settings = settings with { Scrub = scrubbers };
        }

        return settings;
    }

    private static List<Variant> ParseVariants(YamlNodes y, YamlNode node, AgentConfig agent, SuiteRoot root)
    {
        var variants = new List<Variant>();
        var failed = 0;
        foreach (var item in y.Sequence(node, "variants").Children)
        {
            var variant = y.Errors is null ? ReadVariant(item) : y.Errors.Try(() => ReadVariant(item), null);
            if (variant is null)
            {
                failed++;
                continue;
            }

            variants.Add(variant);
        }

        if (failed > 0 && variants.Count == 0)
        {
            // Scenarios cannot be checked without a variant: what was found so far ends the load.
            y.Errors!.ThrowIfAny();
        }

        Variant? ReadVariant(YamlNode item)
        {
            var map = y.Mapping(item, "a variant");
            var keys = agent.Own is null
                ? y.Keys(map, "a variant", "name", "model", "price_as", "system_prompt", "streaming")
                : y.Keys(map, "a variant", "name", "model", "price_as", "env", "system_prompt", "vars");
            var name = Identifier(y, y.Required(keys, map, "name", "A variant"), "a variant name");
            if (variants.Any(x => x.Name == name))
            {
                throw y.Error(keys["name"].Value, $"there are two variants named '{name}'.");
            }

            var config = agent;
            if (keys.TryGetValue("model", out var m))
            {
                // The agent's price_as is its model's: another model is priced by its own name, or the variant's price_as.
                var model = AgentParser.Model(y, m.Value);
                config = config with { Model = model, PriceAs = model == config.Model ? config.PriceAs : null };
            }

            if (keys.TryGetValue("price_as", out var pa))
            {
                config = config with { PriceAs = AgentParser.PriceAs(y, pa.Value, config.Model) };
            }

            if (keys.TryGetValue("system_prompt", out var p))
            {
                var (text, source) = AgentParser.Prompt(y, p.Value, root);
                config = config with { SystemPrompt = text, SystemPromptSource = source };
            }

            if (keys.TryGetValue("streaming", out var s))
            {
                config = config with { Streaming = y.Bool(s.Value, "streaming") };
            }

            if (keys.TryGetValue("vars", out var vs))
            {
                // A variant's vars go over the agent's: how a team compares settings its own agent reads.
                config = config with { Vars = config.Vars.Concat(OwnAgentParser.Vars(y, vs.Value)).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal) };
            }

            if (keys.TryGetValue("env", out var env))
            {
                // A variant of a process agent adds or replaces environment variables: how a team compares its own prompts or settings.
                config = config.Own!.Command.Count == 0
                    ? throw y.Error(env.Key, "env is for process agents (command: [...]).")
                    : config with { Own = config.Own with { Environment = config.Own.Environment.Concat(OwnAgentParser.Environment(y, env.Value)).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal) } };
            }

            return new Variant(name, config);
        }

        return variants.Count > 0 ? variants : throw y.Error(node, "variants is empty: list at least one, or leave the key out.");
    }

    /// <summary>A scenario with the suite's defaults under it: the scenario's own keys win, and <c>expect</c> merges key by key.</summary>
    private static YamlMappingNode WithDefaults(YamlMappingNode scenario, YamlMappingNode? defaults)
    {
        if (defaults is null)
        {
            return scenario;
        }

        var merged = new YamlMappingNode(scenario.Children);
        foreach (var (key, value) in defaults.Children)
        {
            if (!merged.Children.TryGetValue(key, out var own))
            {
                merged.Children.Add(key, value);
            }
            else if (own is YamlMappingNode ownMap && value is YamlMappingNode defaultMap)
            {
                var inner = new YamlMappingNode(ownMap.Children);
                foreach (var (k, v) in defaultMap.Children.Where(c => !ownMap.Children.ContainsKey(c.Key)))
                {
                    inner.Children.Add(k, v);
                }

                merged.Children[key] = inner;
            }
        }

        return merged;
    }

    private static List<Scenario> ParseScenarios(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants, YamlMappingNode? defaults, bool allowEmpty)
    {
        var scenarios = new List<Scenario>();
        var failed = 0;
        foreach (var item in y.Sequence(node, "scenarios").Children)
        {
            // A scenario that cannot be read is reported, and the next one read: one run lists every scenario's mistakes.
            var scenario = y.Errors is null ? ReadScenario(item) : y.Errors.Try(() => ReadScenario(item), null);
            if (scenario is null)
            {
                failed++;
                continue;
            }

            scenarios.Add(scenario);
        }

        Scenario? ReadScenario(YamlNode item)
        {
            var map = WithDefaults(y.Mapping(item, "a scenario"), defaults);
            var keys = y.Keys(map, "a scenario", "name", "tags", "critical", "input", "conversation", "user", "vars", "expect", "approvals", "resume", "memories", "call");
            var name = Identifier(y, y.Required(keys, item, "name", "A scenario"), "a scenario name");
            if (scenarios.Any(s => s.Name == name))
            {
                throw y.Error(keys["name"].Value, $"there are two scenarios named '{name}'; names must be unique within a suite.");
            }

            var tags = keys.TryGetValue("tags", out var t) ? y.Strings(t.Value, "tags") : [];
            var turns = keys.TryGetValue("conversation", out var conv) ? Conversation(y, conv.Value, variants, name) : [];
            if (turns.Count > 0 && keys.TryGetValue("input", out var both))
            {
                throw y.Error(both.Key, $"Scenario '{name}' has both input and conversation: the conversation's first turn is its input.");
            }

            var user = keys.TryGetValue("user", out var u) ? SimulatedUser(y, u.Value, variants, name) : null;
            if (user is not null && turns.Count > 0)
            {
                throw y.Error(keys["user"].Key, $"Scenario '{name}' has both a scripted conversation and a simulated user: give one of them.");
            }

            var call = keys.TryGetValue("call", out var c) ? ToolCheckParser.Parse(y, c.Value, variants, name) : null;
            if (call is not null && (turns.Count > 0 || user is not null || keys.ContainsKey("input")))
            {
                throw y.Error(c.Key, $"Scenario '{name}' calls a tool directly (call), so it has no input, conversation or user: the call is what it tests.");
            }

            // A simulated user may open the conversation itself, so its scenario needs no input; a tool check has none.
            var input = turns.Count > 0 ? turns[0].User
                : call is not null ? $"call {call.Name}"
                : user is not null && !keys.ContainsKey("input") ? string.Empty
                : y.String(y.Required(keys, item, "input", $"Scenario '{name}'"), "input");
            var expect = keys.TryGetValue("expect", out var e) ? ExpectationParser.Parse(y, e.Value, variants) : new Expectations();
            if (expect.Dialogue is { } dialogue)
            {
                var why = turns.Count == 0 && user is null ? "expects a dialogue but is one input: give it a conversation or a simulated user, or drop expect.dialogue"
                    : dialogue.MinTurns > dialogue.MaxTurns ? $"expects a dialogue of at least {dialogue.MinTurns} and at most {dialogue.MaxTurns} user turns, which no conversation can take"
                    : dialogue.EndedBy is "user" or "max_turns" && user is null ? $"is scripted, so its dialogue cannot end by {dialogue.EndedBy} (a simulated user's ending): expect ended_by: script"
                    : dialogue.EndedBy == "script" && user is not null ? "has a simulated user, so its dialogue cannot end by script: expect ended_by: user or max_turns"
                    : null;
                if (why is not null)
                {
                    throw y.Error(e.Key, $"Scenario '{name}' {why}.");
                }
            }

            return new Scenario(name, tags, input, expect, (int)item.Start.Line)
            {
                Turns = turns,
                User = user,
                Call = call,
                Approvals = keys.TryGetValue("approvals", out var a) ? Decisions(y, a.Value, "approvals", variants, allowPending: true) : new Dictionary<string, ApprovalDecision>(),
                Resume = keys.TryGetValue("resume", out var r) ? Decisions(y, r.Value, "resume", variants, allowPending: false) : new Dictionary<string, ApprovalDecision>(),
                Memories = keys.TryGetValue("memories", out var mem) ? y.Strings(mem.Value, "memories") : [],
                Critical = keys.TryGetValue("critical", out var cr) && y.Bool(cr.Value, "critical"),
                Vars = keys.TryGetValue("vars", out var vs)
                    ? OwnAgentParser.Vars(y, vs.Value)
                    : new Dictionary<string, System.Text.Json.JsonElement>(),
            };
        }

        return scenarios.Count > 0 || allowEmpty || failed > 0 ? scenarios : throw y.Error(node, "scenarios is empty: a suite needs at least one scenario.");
    }

    private static Dictionary<string, ApprovalDecision> Decisions(YamlNodes y, YamlNode node, string what, IReadOnlyList<Variant> variants, bool allowPending)
    {
        var gated = variants.SelectMany(v => v.Agent.Approvals.Keys.Concat(v.Agent.SubAgents.SelectMany(s => s.Agent.Approvals.Keys))).Distinct().ToList();
        var result = new Dictionary<string, ApprovalDecision>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in y.Mapping(node, what).Children)
        {
            var tool = y.String(keyNode, "a tool name");
            if (!gated.Contains(tool))
            {
                throw y.Error(keyNode, $"'{tool}' needs no approval (it is not in the agent's approvals), so there is nothing to decide.");
            }

            var text = y.String(value, "a decision");
            result[tool] = text switch
            {
                "approve" => ApprovalDecision.Approve,
                "deny" => ApprovalDecision.Deny,
                "pending" when allowPending => ApprovalDecision.Pending,
                _ => throw y.Error(value, $"the decision must be {(allowPending ? "approve, deny or pending" : "approve or deny")}, not '{text}'."),
            };
        }

        return result;
    }

    internal static string Identifier(YamlNodes y, YamlNode node, string what)
    {
        var value = y.String(node, what);
        if (value.Length > MaxIdentifierLength)
        {
            // Suite, variant and scenario names join into cassette ids (suite/variant/scenario/t1/judge), which
            // CassetteStore caps so that a file name fits the file system: refuse here, at the name, not at replay.
            throw y.Error(node, $"{what} '{value[..40]}…' is {value.Length} characters long; at most {MaxIdentifierLength} are allowed (it becomes part of a file name). Choose a shorter name.");
        }

        return IdentifierPattern().IsMatch(value)
            ? value
            : throw y.Error(node, $"{what} '{value}' may hold only letters, digits, '-', '_' and '.' (it becomes part of a file path).");
    }

    /// <summary>
    /// The longest suite, variant or scenario name: three of them, a trial and a judge's segment stay within
    /// <see cref="Cassettes.Format.CassetteStore.MaxIdLength"/>.
    /// </summary>
    internal const int MaxIdentifierLength = 60;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex IdentifierPattern();
}
