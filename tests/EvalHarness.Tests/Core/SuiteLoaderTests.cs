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
    public void Parse_LargeSuiteWrittenOut_IsNotMistakenForAnAliasBomb()
    {
        // 6,000 scenarios of about 25 values each: far past the alias guard's floor of 100,000 values, with no alias.
        var scenarios = string.Concat(Enumerable.Range(1, 6_000).Select(i => $$"""

              - name: s{{i}}
                tags: [bulk, part-{{i % 7}}]
                input: Refund A1 for the {{i}}th time
                expect:
                  output: { contains: [refund, A1] }
                  tools:
                    called: [{ name: orders.refund_order, args: { order_id: A1 } }]
                  max_steps: 3
            """));
        var yaml = Valid[..Valid.IndexOf("  - name: refund", StringComparison.Ordinal)] + scenarios.TrimStart('\n') + "\n";

        var suite = Parse(yaml);

        Assert.Equal(6_000, suite.Scenarios.Count);
        Assert.Equal("Refund A1 for the 6000th time", suite.Scenarios[^1].Input);
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

    private const string Runtime = """
        suite: rt
        agent:
          model: openai:gpt-4o-mini
          system_prompt: Be helpful.
          tools: [orders.lookup_order, orders.issue_credit]
          limits: { max_steps: 4, max_tokens: 5000, max_cost_usd: 0.5, timeout_s: 30 }
          loop_detection: { window: 5, repeats: 2 }
          tool_output: { max_chars: 800 }
          retry: { max_retries: 2, base_delay_ms: 100 }
          output_schema: { type: object, required: [answer], properties: { answer: { type: string } } }
          max_repairs: 1
          context: { max_tokens: 2000, keep_last: 3, summary_model: openai:gpt-4o-mini }
          streaming: true
          approvals:
            orders.issue_credit: { above: { amount: 50 } }
          sub_agents:
            - name: billing
              system_prompt: You bill.
              tools: [orders.lookup_order]
        scenarios:
          - name: s
            input: x
            approvals: { orders.issue_credit: pending }
            resume: { orders.issue_credit: approve }
            expect:
              outcome: awaiting_approval
              counters: { approvals_requested: 1 }
              tools: { not_called: [orders.issue_credit], called: [{ name: ask_billing }] }
        """;

    [Fact]
    public void Parse_RuntimeOptions_AreBuiltAtLoad()
    {
        var agent = Parse(Runtime).Variants[0].Agent;

        Assert.Equal((4, 5000L, 0.5m, TimeSpan.FromSeconds(30)), (agent.Limits.MaxSteps, agent.Limits.MaxTokens!.Value, agent.Limits.MaxCostUsd!.Value, agent.Limits.Timeout!.Value));
        Assert.Equal((5, 2), (agent.LoopDetection!.Window, agent.LoopDetection.Repeats));
        Assert.Equal(800, agent.ToolOutput.MaxChars);
        Assert.Equal(2, agent.Retry!.MaxRetries);
        Assert.Single(agent.OutputSchema!.Validate(System.Text.Json.JsonDocument.Parse("{}").RootElement));
        Assert.Equal(("gpt-4o-mini", 3), (agent.Context!.SummaryModelId, agent.Context.KeepLastMessages));
        Assert.True(agent.Streaming);
        Assert.Equal("when amount > 50", agent.Approvals["orders.issue_credit"].ToString());
        Assert.Equal("billing", Assert.Single(agent.SubAgents).Name);
    }

    [Theory]
    [InlineData("max_tokens: 5000", "max_tokens: -5", "max_tokens must be at least 1, not -5.")]
    [InlineData("max_cost_usd: 0.5", "max_cost_usd: 0", "max_cost_usd must be more than 0, not 0.")]
    [InlineData("window: 5, repeats: 2", "window: 1, repeats: 2", "loop_detection.window must be at least as large as repeats.")]
    [InlineData("max_chars: 800", "max_chars: 10", "tool_output.max_chars must be at least 64.")]
    [InlineData("max_retries: 2", "max_retries: -1", "max_retries must be at least 0, not -1.")]
    [InlineData("properties: { answer: { type: string } }", "properties: { answer: { type: text } }", "$.properties.answer.type: 'text' is not a JSON Schema type")]
    [InlineData("required: [answer]", "requird: [answer]", "$.requird: 'requird' is not a JSON Schema keyword")]
    [InlineData("keep_last: 3", "keep_last: 1", "context.keep_last must be at least 2.")]
    [InlineData("summary_model: openai:gpt-4o-mini", "summary_model: anthropic:claude-haiku-4-5", "the summary model must speak the agent's protocol (openai), not anthropic.")]
    [InlineData("orders.issue_credit: { above: { amount: 50 } }", "mail.send_email: always", "'mail.send_email' is not one of the agent's tools, so it can never need approval.")]
    [InlineData("orders.issue_credit: { above: { amount: 50 } }", "orders.issue_credit: sometimes", "an approval rule is 'always' or { above:")]
    [InlineData("resume: { orders.issue_credit: approve }", "resume: { orders.issue_credit: pending }", "the decision must be approve or deny, not 'pending'.")]
    [InlineData("approvals: { orders.issue_credit: pending }", "approvals: { orders.lookup_order: approve }", "'orders.lookup_order' needs no approval")]
    [InlineData("outcome: awaiting_approval", "outcome: awaiting_aproval", "unknown outcome 'awaiting_aproval'. Did you mean 'awaiting_approval'?")]
    [InlineData("counters: { approvals_requested: 1 }", "counters: { retrys: 1 }", "unknown counter 'retrys'. Did you mean 'retries'?")]
    [InlineData("called: [{ name: ask_billing }]", "called: [{ name: ask_shipping }]", "'ask_shipping' is not one of the agent's tools")]
    [InlineData("streaming: true", "streaming: sometimes", "streaming must be true or false, not 'sometimes'.")]
    public void Parse_BadRuntimeOption_FailsAtLoadWithWhere(string from, string to, string message)
    {
        Assert.Contains(from, Runtime, StringComparison.Ordinal);
        var error = Assert.Throws<SuiteException>(() => Parse(Runtime.Replace(from, to, StringComparison.Ordinal)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0, error.Message);
    }

    [Fact]
    public void Parse_CassetteSettings_AreReadAndChecked()
    {
        var yaml = Valid.Replace("scenarios:", "cassettes:\n  record_mode: new_episodes\n  match: unordered\n  ignore: [$.user]\n  scrub: [{ pattern: 'acct-[0-9]+', replace: '[account]' }]\nscenarios:", StringComparison.Ordinal);

        var settings = Parse(yaml).Cassettes;

        Assert.Equal((EvalHarness.Cassettes.Server.RecordMode.NewEpisodes, EvalHarness.Cassettes.Server.MatchMode.Unordered), (settings.RecordMode, settings.Match));
        Assert.Equal(["$.user"], settings.Ignore);
        Assert.Equal("[account]", settings.Scrub[0].Pattern.Replace("acct-42", settings.Scrub[0].Replacement));
        Assert.Contains("record_mode must be one of none, once, new_episodes, all", Assert.Throws<SuiteException>(() => Parse(yaml.Replace("new_episodes", "sometimes", StringComparison.Ordinal))).Message, StringComparison.Ordinal);
        Assert.Contains("not a valid regular expression", Assert.Throws<SuiteException>(() => Parse(yaml.Replace("acct-[0-9]+", "acct-[", StringComparison.Ordinal))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IgnoredPathWithAnEqualityFilter_IsReadInTheFormMatchingUses()
    {
        var yaml = Valid.Replace("scenarios:", "cassettes:\n  ignore: ['$.messages[?(@.role == \"tool\")].content', \"$['stream_options']\"]\nscenarios:", StringComparison.Ordinal);

        Assert.Equal(["$.messages[?(@.role=='tool')].content", "$.stream_options"], Parse(yaml).Cassettes.Ignore.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("$..content", "recursive descent")]
    [InlineData("$.messages[?(@.role!='tool')].content", "only the filter [?(@.key=='value')]")]
    [InlineData("$.messages[0:2]", "[0:2]")]
    public void Parse_IgnoredPathInAFormMatchingCannotFollow_FailsAtItsLineNamingTheFormsSupported(string path, string message)
    {
        var yaml = Valid.Replace("scenarios:", $"cassettes:\n  ignore:\n    - \"{path}\"\nscenarios:", StringComparison.Ordinal);

        var error = Fails(yaml);

        Assert.Equal((17, 7), (error.Line, error.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("$.name, $['name'], [0], [*] and [?(@.key=='value')]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PipelineStageThatIsNotASubAgent_FailsAtLoad()
    {
        var error = Assert.Throws<SuiteException>(() => Parse(Runtime.Replace("  sub_agents:", "  pipeline: [billing, writer]\n  sub_agents:", StringComparison.Ordinal)));

        Assert.Contains("pipeline stage 'writer' is not one of the sub_agents (billing).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DefaultsIncludesAndCritical()
    {
        _temp.Write("shared/more.yaml", """
            fixtures:
              orders: [{ id: B2, customer: b@example.com, total: 5 }]
            scenarios:
              - name: shared-one
                input: Look up B2
                critical: true
            """);
        var yaml = Valid.Replace("suite: shop", "suite: shop\ninclude: [shared/more.yaml]", StringComparison.Ordinal)
            .Replace("scenarios:", "defaults:\n  tags: [default-tag]\n  expect: { max_steps: 4, output: { contains: [done] } }\nscenarios:", StringComparison.Ordinal);

        var suite = Parse(yaml);

        Assert.Equal(["refund", "shared-one"], suite.Scenarios.Select(s => s.Name));
        Assert.Equal(["A1", "B2"], suite.Fixtures.Orders.Select(o => o.Id));
        Assert.Equal((3, false), (suite.Scenarios[0].Expect.MaxSteps, suite.Scenarios[0].Critical));
        Assert.Equal(["refund"], suite.Scenarios[0].Expect.OutputContains);
        Assert.Equal(["refund", "critical"], suite.Scenarios[0].Tags);
        Assert.Equal((4, true), (suite.Scenarios[1].Expect.MaxSteps, suite.Scenarios[1].Critical));
        Assert.Equal(["done"], suite.Scenarios[1].Expect.OutputContains);
        Assert.Equal(["default-tag"], suite.Scenarios[1].Tags);
    }

    [Fact]
    public void Parse_ErrorInAnIncludedFile_NamesThatFile()
    {
        _temp.Write("shared/bad.yaml", "scenarios:\n  - name: x\n    inptu: y\n");

        var error = Fails(Valid.Replace("suite: shop", "suite: shop\ninclude: [shared/bad.yaml]", StringComparison.Ordinal));

        Assert.EndsWith(Path.Combine("shared", "bad.yaml"), error.File);
        Assert.Equal((3, 5), (error.Line, error.Column));
        Assert.Contains("unknown key 'inptu' in a scenario", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orders: [{ id: A1, customer: b@example.com, total: 5 }]", "the order 'A1'")]
    [InlineData("tables: { t: [{ a: 1 }] }", "the table 't'")]
    [InlineData("documents: [{ id: d1, title: T, text: x }]", "the document 'd1'")]
    public void Parse_IncludedFixtureAlreadyDefined_IsALoadError(string fixture, string what)
    {
        _temp.Write("shared/dup.yaml", $"fixtures:\n  {fixture}\n");
        var yaml = Valid.Replace("suite: shop", "suite: shop\ninclude: [shared/dup.yaml]", StringComparison.Ordinal)
            .Replace("fixtures:\n", "fixtures:\n  tables: { t: [{ a: 2 }] }\n  documents: [{ id: d1, title: D, text: y }]\n", StringComparison.Ordinal);

        var error = Fails(yaml);

        Assert.EndsWith(Path.Combine("shared", "dup.yaml"), error.File);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains($"{what} is defined here and in", error.Message, StringComparison.Ordinal);
    }
}
