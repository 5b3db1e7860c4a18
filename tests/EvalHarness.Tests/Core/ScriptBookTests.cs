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
}
