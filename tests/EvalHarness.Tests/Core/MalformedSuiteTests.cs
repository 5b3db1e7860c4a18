using EvalHarness.Cli.Commands;
using EvalHarness.Tests.Support;
using Spectre.Console;

namespace EvalHarness.Tests.Core;

/// <summary>Malformed and hostile suite files: each fails with exit code 2, one line naming file:line:column, and no stack trace.</summary>
public sealed class MalformedSuiteTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Base = """
        suite: shop
        agent:
          model: openai:gpt-4o-mini
          system_prompt: Be helpful.
          tools: [orders.lookup_order, orders.refund_order]
        fixtures:
          orders: [{ id: A1, customer: a@example.com, total: 10.50 }]
        scenarios:
          - name: refund
            input: Refund A1
            expect:
              tools: { called: [{ name: orders.refund_order }] }
        """;

    private static string Bomb()
    {
        var yaml = Base + "\n  - name: bomb\n    input: x\n    expect:\n      state:\n        orders.A1.status: &a [x, x, x, x, x, x, x, x, x, x]\n";
        var previous = "a";
        foreach (var name in "bcdefgh")
        {
            yaml += $"        orders.A{name}.item: &{name} [{string.Join(", ", Enumerable.Repeat($"*{previous}", 10))}]\n";
            previous = name.ToString();
        }

        return yaml;
    }

    public static TheoryData<string, string, int, string> Cases() => new()
    {
        { "syntax: unclosed quote", Base.Replace("input: Refund A1", "input: \"Refund A1", StringComparison.Ordinal), 10, "not valid YAML" },
        { "syntax: tab indentation", Base.Replace("  model:", "\tmodel:", StringComparison.Ordinal), 3, "not valid YAML" },
        { "syntax: bad indentation", Base.Replace("    input: Refund A1", "      input: Refund A1", StringComparison.Ordinal), 10, "not valid YAML" },
        { "syntax: undefined alias", Base.Replace("input: Refund A1", "input: *missing", StringComparison.Ordinal), 10, "not valid YAML" },
        { "empty file", string.Empty, 0, "the file is empty" },
        { "root is a list", "- a\n- b\n", 1, "a suite must be a mapping" },
        { "root is a scalar", "just text\n", 1, "a suite must be a mapping" },
        { "unknown root key", Base + "\nvariatns: []\n", 13, "unknown key 'variatns' in the suite. Did you mean 'variants'?" },
        { "unknown agent key", Base.Replace("  tools: [", "  toolz: [", StringComparison.Ordinal), 5, "unknown key 'toolz' in agent. Did you mean 'tools'?" },
        { "unknown scenario key", Base.Replace("    input: Refund A1", "    inputs: Refund A1", StringComparison.Ordinal), 10, "unknown key 'inputs' in a scenario. Did you mean 'input'?" },
        { "unknown expect key", Base.Replace("      tools: { called:", "      tool: { called:", StringComparison.Ordinal), 12, "unknown key 'tool' in expect. Did you mean 'tools'?" },
        { "duplicate key", Base.Replace("suite: shop", "suite: shop\nsuite: other", StringComparison.Ordinal), 2, "not valid YAML" },
        { "missing suite name", Base.Replace("suite: shop\n", string.Empty, StringComparison.Ordinal), 1, "A suite needs 'suite'." },
        { "missing agent", Base[..Base.IndexOf("agent:", StringComparison.Ordinal)] + Base[Base.IndexOf("fixtures:", StringComparison.Ordinal)..], 1, "A suite needs 'agent'." },
        { "missing input", Base.Replace("    input: Refund A1\n", string.Empty, StringComparison.Ordinal), 9, "Scenario 'refund' needs 'input'." },
        { "wrong type: tools is a map", Base.Replace("tools: [orders.lookup_order, orders.refund_order]", "tools: { a: b }", StringComparison.Ordinal), 5, "tools must be a list" },
        { "wrong type: trials is text", Base + "\ntrials: many\n", 13, "trials must be a whole number, not 'many'." },
        { "wrong type: trials is zero", Base + "\ntrials: 0\n", 13, "trials must be at least 1, not 0." },
        { "wrong type: total", Base.Replace("total: 10.50", "total: lots", StringComparison.Ordinal), 7, "total must be a non-negative amount" },
        { "wrong type: scenarios is a map", Base[..Base.IndexOf("scenarios:", StringComparison.Ordinal)] + "scenarios: { refund: x }\n", 8, "scenarios must be a list" },
        { "empty scenarios", Base[..Base.IndexOf("scenarios:", StringComparison.Ordinal)] + "scenarios: []\n", 8, "scenarios is empty" },
        { "unknown tool", Base.Replace("orders.refund_order]", "orders.refnd_order]", StringComparison.Ordinal), 5, "unknown tool 'orders.refnd_order'. Did you mean 'orders.refund_order'?" },
        { "dangling expected tool", Base.Replace("{ name: orders.refund_order }", "{ name: mail.send_email }", StringComparison.Ordinal), 12, "'mail.send_email' is not one of the agent's tools" },
        { "dangling pipeline stage", Base.Replace("  tools: [", "  pipeline: [writer]\n  tools: [", StringComparison.Ordinal), 5, "pipeline stage 'writer' names a sub-agent, but the agent has no sub_agents" },
        { "dangling approval", Base.Replace("  tools: [", "  approvals: { mail.send_email: always }\n  tools: [", StringComparison.Ordinal), 5, "'mail.send_email' is not one of the agent's tools, so it can never need approval." },
        { "missing prompt file", Base.Replace("system_prompt: Be helpful.", "system_prompt: prompts/none.md", StringComparison.Ordinal), 4, "the prompt file 'prompts/none.md' does not exist" },
        { "bad model", Base.Replace("model: openai:gpt-4o-mini", "model: gpt-4o-mini", StringComparison.Ordinal), 3, "must be written provider:model" },
        { "duplicate scenario", Base + "\n  - name: refund\n    input: again\n", 13, "there are two scenarios named 'refund'" },
        { "name too long for a cassette id", Base.Replace("name: refund", "name: " + new string('r', 61), StringComparison.Ordinal), 9, "is 61 characters long; at most 60 are allowed" },
        { "path-like name", Base.Replace("name: refund", "name: ../../etc", StringComparison.Ordinal), 9, "may hold only letters, digits" },
        { "bad regex", Base.Replace("      tools: { called:", "      output: { regex: ['(unclosed'] }\n      tools: { called:", StringComparison.Ordinal), 12, "is not a valid regular expression" },
        { "bad state path", Base.Replace("      tools: { called:", "      state: { orders: refunded }\n      tools: { called:", StringComparison.Ordinal), 12, "'orders' is not a state path" },
        { "bad output schema", Base.Replace("  tools: [", "  output_schema: { type: objekt }\n  tools: [", StringComparison.Ordinal), 5, "'objekt' is not a JSON Schema type" },
        { "schema: misspelt keyword deep inside", Base.Replace("  tools: [", "  output_schema:\n    type: object\n    properties:\n      a: { type: string, minLenght: 2 }\n  tools: [", StringComparison.Ordinal), 8, "$.properties.a.minLenght: 'minLenght' is not a JSON Schema keyword" },
        { "schema: reference to nothing", Base.Replace("  tools: [", "  output_schema:\n    type: object\n    properties:\n      a: { $ref: '#/$defs/nope' }\n  tools: [", StringComparison.Ordinal), 8, "'#/$defs/nope' points to nothing in this schema" },
        { "negative limit", Base.Replace("  tools: [", "  limits: { max_steps: -2 }\n  tools: [", StringComparison.Ordinal), 5, "max_steps must be at least 1, not -2." },
        { "hostile: alias bomb", Bomb(), 0, "(an alias bomb?)" },
        { "hostile: deep nesting", "suite: deep\nagent: " + new string('[', 200) + new string(']', 200) + "\n", 2, "nests deeper than 64 levels" },
        { "hostile: binary content", "suite: x\u0000\nagent: {}\n", 1, "control character (U+0000)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedSuite_FailsWithFileLineColumnAndNoStackTrace(string what, string yaml, int line, string message)
    {
        var file = _temp.Write($"{what.Replace(':', '-').Replace(' ', '-')}.yaml", yaml);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(output) });

        var exit = await EvalhApp.InvokeAsync(["run", file, "--cassettes", _temp.Path, "--reports", _temp.Path], console, error, Ct);

        var text = error.ToString().Trim();
        Assert.Equal(2, exit);
        Assert.Single(text.Split('\n'));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.StartsWith(line > 0 ? $"error: {file}:{line}:" : $"error: {file}:", text, StringComparison.Ordinal);
    }
}
