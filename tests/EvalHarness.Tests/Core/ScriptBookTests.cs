using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

public sealed class ScriptBookTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Suite Suite() => SuiteLoader.Parse(_temp.Combine("s.yaml"), """
        suite: s
        agent: { model: "openai:m", system_prompt: hi, tools: [orders.lookup_order] }
        variants: [{ name: a }, { name: b }]
        scenarios:
          - { name: one, input: x }
          - { name: two, input: y }
        """);

    [Fact]
    public void Find_VariantOverride_WinsOverDefault()
    {
        var suite = Suite();
        var path = _temp.Write("script.yaml", """
            default:
              one: [{ text: default answer }]
            variants:
              b:
                one:
                  - tools: [{ lookup_order: { order_id: A1 } }]
                  - { text: b answer, latency_ms: 900 }
            """);

        var book = ScriptBook.Load(path, suite);

        Assert.Equal("default answer", Assert.Single(book.Find("s/a/one/t1")!).Text);
        var b = book.Find("s/b/one/t3")!;
        Assert.Equal("lookup_order", Assert.Single(b[0].ToolCalls).Name);
        Assert.Equal("A1", b[0].ToolCalls[0].Arguments.GetProperty("order_id").GetString());
        Assert.Equal(900, b[1].LatencyMs);
        Assert.Null(book.Find("s/a/two/t1"));
        Assert.Null(book.Find("other/a/one/t1"));
    }

    [Fact]
    public void Load_ScenarioNotInSuite_NamesTheLine()
    {
        var path = _temp.Write("script.yaml", "default:\n  one: [{ text: ok }]\n  tow: [{ text: ok }]\n");

        var error = Assert.Throws<SuiteException>(() => ScriptBook.Load(path, Suite()));

        Assert.Equal(3, error.Line);
        Assert.Contains("no scenario 'tow'. Did you mean 'two'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ErrorTurn_ReadsStatusAndMessage()
    {
        var path = _temp.Write("script.yaml", "default:\n  one:\n    - error: { status: 429, message: slow down }\n    - text: ok\n");

        var turn = ScriptBook.Load(path, Suite()).Find("s/a/one/t1")![0];

        Assert.Equal((429, "slow down"), (turn.ErrorStatus, turn.ErrorMessage));
    }

    private Suite Own(string tools) => SuiteLoader.Parse(_temp.Combine("own.yaml"), $$"""
        suite: s
        agent: { model: "openai:m", command: [python3, agent.py]{{tools}} }
        scenarios: [{ name: one, input: x }]
        """);

    [Fact]
    public void Load_OwnAgentDeclaringTools_ChecksTheScriptsToolsAgainstThem()
    {
        var path = _temp.Write("script.yaml", "default:\n  one:\n    - tools: [{ lookup_ordr: { id: A1 } }]\n");

        var error = Assert.Throws<SuiteException>(() => ScriptBook.Load(path, Own(", tools: [lookup_order, cancel_order]")));

        Assert.Equal((3, 17), (error.Line, error.Column));
        Assert.Contains("the agent has no tool 'lookup_ordr': a script calls tools by the names the model sends, here cancel_order, lookup_order. Did you mean 'lookup_order'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OwnAgentDeclaringNoTools_TakesTheScriptsToolsAsTheyAre()
    {
        var path = _temp.Write("script.yaml", "default:\n  one:\n    - tools: [{ lookup_ordr: { id: A1 } }]\n");

        var book = ScriptBook.Load(path, Own(string.Empty));

        Assert.Equal("lookup_ordr", Assert.Single(book.Find("s/default/one/t1")![0].ToolCalls).Name);
    }

    [Fact]
    public void Load_ScenarioExpectingUnknownToolCalls_MayCallAToolTheAgentLacks()
    {
        var suite = SuiteLoader.Parse(_temp.Combine("s.yaml"), """
            suite: s
            agent: { model: "openai:m", system_prompt: hi, tools: [docs.read] }
            scenarios:
              - { name: one, input: x, expect: { counters: { unknown_tool_calls: 1 } } }
              - { name: two, input: y }
            """);
        var path = _temp.Write("script.yaml", "default:\n  one: [{ tools: [{ delete_doc: { id: a } }] }]\n  two: [{ tools: [{ delete_doc: { id: a } }] }]\n");

        var error = Assert.Throws<SuiteException>(() => ScriptBook.Load(path, suite));

        Assert.Equal(3, error.Line);
        Assert.Single(error.Errors);
    }

    [Fact]
    public void Load_SubAgentConversation_IsCheckedAgainstTheSubAgentsTools()
    {
        var suite = SuiteLoader.Parse(_temp.Combine("s.yaml"), """
            suite: s
            agent:
              model: "openai:m"
              system_prompt: hi
              sub_agents: [{ name: billing, system_prompt: bill, tools: [orders.refund_order] }]
            scenarios: [{ name: one, input: x }]
            """);
        var path = _temp.Write("script.yaml", """
            default:
              one:
                agent: [{ tools: [{ ask_billing: { task: t } }] }, { tools: [{ refund_order: { order_id: A1 } }] }]
                billing: [{ tools: [{ orders.refund_order: { order_id: A1 } }] }, { tools: [{ ask_billing: { task: t } }] }]
            """);

        var error = Assert.Throws<SuiteException>(() => ScriptBook.Load(path, suite));

        Assert.Equal(
            [(3, 68, "the agent has no tool 'refund_order'"), (4, 83, "the sub-agent 'billing' has no tool 'ask_billing'")],
            error.Errors.Select(e => (e.Line, e.Column, e.Detail.Split(':')[0])));
    }

    [Theory]
    [InlineData("suites/support.yaml", "/repo/suites/scripts/support.yaml", "/repo", "suites/scripts/support.yaml")]
    [InlineData("/repo/suites/support.yaml", "/repo/suites/scripts/support.yaml", "/elsewhere", "/repo/suites/scripts/support.yaml")]
    public void Shown_NamesTheScriptAsTheSuiteWasNamed(string suite, string script, string cwd, string expected) =>
        Assert.Equal(expected.Replace('/', Path.DirectorySeparatorChar), EvalHarness.Core.Scripts.ScriptBook.Shown(suite, script, cwd).Replace('/', Path.DirectorySeparatorChar));
}
