using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

public sealed class SuiteLoaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Valid = """
        suite: shop
        agent:
          model: openai:gpt-4o-mini
          system_prompt: Be helpful.
          tools: [orders.lookup_order, orders.refund_order]
          limits: { max_steps: 4 }
        variants:
          - name: base
          - name: big
            model: openai:gpt-4o
        trials: 2
        fixtures:
          orders:
            - { id: A1, customer: a@example.com, total: 10.50, status: delivered }
        scenarios:
          - name: refund
            tags: [refund, critical]
            input: Refund A1
            expect:
              output: { contains: [refund] }
              tools:
                called: [{ name: orders.refund_order, args: { order_id: A1 } }]
              max_steps: 3
        """;

    private Suite Parse(string yaml) => SuiteLoader.Parse(_temp.Combine("shop.yaml"), yaml);

    private SuiteException Fails(string yaml) => Assert.Throws<SuiteException>(() => Parse(yaml));

    [Fact]
    public void Parse_ValidSuite_ReadsEverything()
    {
        var suite = Parse(Valid);

        Assert.Equal(("shop", 2), (suite.Name, suite.Trials));
        Assert.Equal(["base", "big"], suite.Variants.Select(v => v.Name));
        Assert.Equal("openai:gpt-4o", suite.Variants[1].Agent.Model.ToString());
        Assert.Equal(4, suite.Variants[1].Agent.Limits.MaxSteps);
        Assert.Equal(10.50m, Assert.Single(suite.Fixtures.Orders).Total);
        var scenario = Assert.Single(suite.Scenarios);
        Assert.Equal(["refund", "critical"], scenario.Tags);
        Assert.Equal("A1", scenario.Expect.ToolsCalled[0].Arguments["order_id"].GetString());
        Assert.Equal(3, scenario.Expect.MaxSteps);
        Assert.Equal(16, scenario.Line);
    }

    [Fact]
    public void Parse_UnknownKey_NamesLineColumnAndSuggests()
    {
        var error = Fails(Valid.Replace("    input: Refund A1", "    inptu: Refund A1", StringComparison.Ordinal));

        Assert.Equal((18, 5), (error.Line, error.Column));
        Assert.Contains("unknown key 'inptu' in a scenario. Did you mean 'input'?", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(_temp.Combine("shop.yaml") + ":18:5: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTool_SuggestsTheClosest()
    {
        var error = Fails(Valid.Replace("orders.refund_order]", "orders.refund_ordr]", StringComparison.Ordinal));

        Assert.Equal(5, error.Line);
        Assert.Contains("unknown tool 'orders.refund_ordr'. Did you mean 'orders.refund_order'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExpectedToolTheAgentLacks_IsADanglingReference()
    {
        var error = Fails(Valid.Replace("{ name: orders.refund_order,", "{ name: mail.send_email,", StringComparison.Ordinal));

        Assert.Equal(22, error.Line);
        Assert.Contains("'mail.send_email' is not one of the agent's tools", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SyntaxError_NamesThePosition()
    {
        var error = Fails("suite: x\nagent: [unclosed\n");

        Assert.True(error.Line >= 2, error.Message);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  limits: { max_steps: 4 }", "  limits: { max_steps: 0 }", "max_steps must be at least 1, not 0.")]
    [InlineData("  limits: { max_steps: 4 }", "  limits: { max_steps: many }", "max_steps must be a whole number, not 'many'.")]
    [InlineData("trials: 2", "trials: [2]", "trials must be a text value, not a list.")]
    [InlineData("model: openai:gpt-4o-mini", "model: gpt-4o-mini", "must be written provider:model")]
    [InlineData("model: openai:gpt-4o-mini", "model: acme:m1", "provider 'acme' is not supported")]
    [InlineData("  - name: big", "  - name: base", "there are two variants named 'base'.")]
    [InlineData("suite: shop", "suite: ../shop", "may hold only letters, digits")]
    [InlineData("total: 10.50", "total: ten", "total must be a non-negative amount")]
    public void Parse_BadValue_SaysWhatIsWrong(string from, string to, string message) =>
        Assert.Contains(message, Fails(Valid.Replace(from, to, StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_PromptFileMissing_NamesIt()
    {
        var error = Fails(Valid.Replace("system_prompt: Be helpful.", "system_prompt: prompts/none.md", StringComparison.Ordinal));

        Assert.Equal(4, error.Line);
        Assert.Contains("the prompt file 'prompts/none.md' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PromptFile_IsReadRelativeToTheSuite()
    {
        _temp.Write("prompts/p.md", "You are careful.\n");

        var suite = Parse(Valid.Replace("system_prompt: Be helpful.", "system_prompt: prompts/p.md", StringComparison.Ordinal));

        Assert.Equal(("You are careful.", "prompts/p.md"), (suite.Variants[0].Agent.SystemPrompt, suite.Variants[0].Agent.SystemPromptSource));
    }

    [Fact]
    public void Load_MissingFile_SaysSo()
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Load(_temp.Combine("nope.yaml")));
        Assert.Contains("no such file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExampleSupportSuite_IsValid()
    {
        var suite = SuiteLoader.Load(Path.Combine(RepoPaths.Suites, "support.yaml"));

        Assert.True(suite.Scenarios.Count >= 5);
        Assert.Contains("Brightside", suite.Variants[0].Agent.SystemPrompt, StringComparison.Ordinal);
    }
}
