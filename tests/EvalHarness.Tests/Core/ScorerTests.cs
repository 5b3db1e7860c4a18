using System.Text.Json;
using EvalHarness.Core.Assertions;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.BuiltIn;

namespace EvalHarness.Tests.Core;

public sealed class ScorerTests
{
    private static AgentReport Run(string text, int steps = 2, string outcome = "completed") => new()
    {
        Outcome = outcome,
        Reason = "test",
        Output = text,
        ToolCalls = [],
        Steps = steps,
    };

    private static Scenario With(Expectations expect) => new("s", [], "input", expect, 1);

    private static ToolExpectation Expect(string name, string argsJson) =>
        new(name, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argsJson)!);

    [Fact]
    public void Score_OutputContains_IsCaseInsensitiveAndQuotesTheOutputWhenMissing()
    {
        var verdicts = Scorer.Score(With(new() { OutputContains = ["REFUNDED", "email"] }), Run("I refunded A1."), []);

        Assert.Equal([true, true, false], verdicts.Select(v => v.Passed));
        Assert.Equal("output.contains", verdicts[2].Kind);
        Assert.Contains("does not contain \"email\". Output: \"I refunded A1.\"", verdicts[2].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_ToolCalledWithMatchingArguments_Passes()
    {
        ToolCallResult[] calls = [new(1, "orders.lookup_order", """{"order_id":"a1"}""", "{}", false), new(2, "orders.refund_order", """{"order_id":"A1","reason":"broken"}""", "{}", false)];

        var verdict = Scorer.Score(With(new() { ToolsCalled = [Expect("orders.refund_order", """{"order_id":"A1"}""")] }), Run("ok"), calls)[1];

        Assert.True(verdict.Passed, verdict.Reason);
        Assert.Contains("at step 2", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_ToolCalledWithOtherArguments_FailsShowingWhat()
    {
        ToolCallResult[] calls = [new(1, "orders.refund_order", """{"order_id":"B2"}""", "{}", false)];

        var verdict = Scorer.Score(With(new() { ToolsCalled = [Expect("orders.refund_order", """{"order_id":"A1"}""")] }), Run("ok"), calls)[1];

        Assert.False(verdict.Passed);
        Assert.Equal("orders.refund_order was called, but never with order_id=\"A1\": order_id was \"B2\".", verdict.Reason);
    }

    [Theory]
    [InlineData("""{"order_id":"A1" """)]
    [InlineData("order A1")]
    [InlineData("""["A1"]""")]
    public void Score_ToolArgumentsNotAJsonObject_FailTheAssertionSayingSo(string arguments)
    {
        ToolCallResult[] calls = [new(1, "orders.refund_order", arguments, "{}", false)];
        var expect = new Expectations { ToolsCalled = [Expect("orders.refund_order", """{"order_id":"A1"}""")], ToolsOrder = ToolOrder.Strict };

        var verdicts = Scorer.Score(With(expect), Run("ok"), calls);

        Assert.Equal([("outcome", true), ("tools.called", false), ("tools.order", false)], verdicts.Select(v => (v.Kind, v.Passed)));
        Assert.Equal($"orders.refund_order was called, but never with order_id=\"A1\": its arguments were not a JSON object: {arguments}.", verdicts[1].Reason);
    }

    [Fact]
    public void Score_ToolArgumentsNotJsonAndNoneExpected_StillCountsTheCall()
    {
        ToolCallResult[] calls = [new(1, "orders.refund_order", "{\"order_id\":", "{}", false)];

        var verdict = Scorer.Score(With(new() { ToolsCalled = [Expect("orders.refund_order", "{}")] }), Run("ok"), calls)[1];

        Assert.True(verdict.Passed, verdict.Reason);
    }

    [Fact]
    public void Score_ToolNeverCalled_SaysWhatWasCalledInstead()
    {
        ToolCallResult[] calls = [new(1, "orders.lookup_order", "{}", "{}", false)];

        var verdict = Scorer.Score(With(new() { ToolsCalled = [Expect("orders.refund_order", "{}")] }), Run("ok"), calls)[1];

        Assert.False(verdict.Passed);
        Assert.Equal("orders.refund_order was never called (the agent called orders.lookup_order).", verdict.Reason);
    }

    [Fact]
    public void Score_MaxSteps_FailsAboveTheBound()
    {
        Assert.True(Scorer.Score(With(new() { MaxSteps = 3 }), Run("ok", steps: 3), [])[1].Passed);
        var verdict = Scorer.Score(With(new() { MaxSteps = 3 }), Run("ok", steps: 4), [])[1];
        Assert.False(verdict.Passed);
        Assert.Equal("4 steps, more than the 3 allowed.", verdict.Reason);
    }

    [Fact]
    public void Score_RunDidNotComplete_FailsTheOutcome()
    {
        var verdict = Scorer.Score(With(new()), Run("", outcome: "max_steps"), [])[0];

        Assert.False(verdict.Passed);
        Assert.Contains("ended max_steps", verdict.Reason, StringComparison.Ordinal);
    }

    private static AssertionVerdict Last(Expectations expect, AgentReport run, ToolCallResult[]? calls = null, EvalHarness.BuiltIn.CaseEnvironment? env = null, double latency = 0) =>
        Scorer.Score(With(expect), run, calls ?? [], env, latency)[^1];

    [Fact]
    public void Score_OutputRegexAndEquals()
    {
        var regex = new System.Text.RegularExpressions.Regex(@"refund of \$[0-9]+\.[0-9]{2}");
        Assert.True(Last(new() { OutputRegex = [regex] }, Run("A refund of $42.00 is on its way.")).Passed);
        Assert.Equal("The output does not match /refund of \\$[0-9]+\\.[0-9]{2}/. Output: \"No refund.\"", Last(new() { OutputRegex = [regex] }, Run("No refund.")).Reason);
        Assert.True(Last(new() { OutputEquals = "OK" }, Run("  OK \n")).Passed);
        Assert.False(Last(new() { OutputEquals = "OK" }, Run("OK!")).Passed);
    }

    [Fact]
    public void Score_OutputJsonSchemaAndPaths()
    {
        var expect = new Expectations
        {
            OutputJsonSchema = EvalHarness.Agents.Schema.JsonSchemaValidator.Parse("""{"type":"object","required":["category"]}"""),
            OutputJsonPath = new Dictionary<string, JsonElement> { ["$.category"] = JsonSerializer.SerializeToElement("damage"), ["$.items[1].qty"] = JsonSerializer.SerializeToElement(2) },
        };

        var good = Scorer.Score(With(expect), Run("```json\n{\"category\":\"DAMAGE\",\"items\":[{\"qty\":1},{\"qty\":2}]}\n```"), []);
        var bad = Scorer.Score(With(expect), Run("""{"items":[]}"""), []);
        var prose = Scorer.Score(With(expect), Run("It is damaged."), []);

        Assert.All(good.Skip(1), v => Assert.True(v.Passed, v.Reason));
        Assert.Equal(
            ["The output does not match the schema: $.category: is required but missing.", "$.category is missing, expected \"damage\".", "$.items[1].qty is missing, expected 2."],
            bad.Skip(1).Select(v => v.Reason));
        Assert.Equal("output.json", Assert.Single(prose.Skip(1)).Kind);
    }

    private static ToolCallResult Call(int step, string tool, string args = "{}") => new(step, tool, args, "ok", false);

    [Theory]
    [InlineData(ToolOrder.Strict, "a,b", true)]
    [InlineData(ToolOrder.Strict, "a,c,b", false)]
    [InlineData(ToolOrder.Subset, "a,c,b", true)]
    [InlineData(ToolOrder.Subset, "b,a", false)]
    [InlineData(ToolOrder.Superset, "b,a,a", true)]
    [InlineData(ToolOrder.Superset, "a,b,c", false)]
    public void Score_ToolOrder(ToolOrder order, string calls, bool passes)
    {
        var made = calls.Split(',').Select((t, i) => Call(i + 1, t)).ToArray();
        var expect = new Expectations { ToolsOrder = order, ToolsCalled = [Expect("a", "{}"), Expect("b", "{}")] };

        var verdict = Scorer.Score(With(expect), Run("ok"), made).Single(v => v.Kind == "tools.order");

        Assert.Equal(passes, verdict.Passed);
    }

    [Fact]
    public void Score_MaxToolCalls() =>
        Assert.Equal("3 tool calls, more than the 2 allowed.", Last(new() { MaxToolCalls = 2 }, Run("ok"), [Call(1, "a"), Call(1, "b"), Call(2, "c")]).Reason);

    [Fact]
    public void Score_State_ComparesTheEnvironmentAfterTheRun()
    {
        using var env = EvalHarness.BuiltIn.CaseEnvironment.Create(new Fixtures { Orders = [new Order("A1", "a@x.com", 10m, "delivered", "mug")] });
        env.Orders.Refund("A1");
        env.Mail.Send("a@x.com", "Refund", "Done");
        var expect = new Expectations
        {
            State = new Dictionary<string, JsonElement>
            {
                ["orders.A1.status"] = JsonSerializer.SerializeToElement("refunded"),
                ["mail.sent.count"] = JsonSerializer.SerializeToElement(1),
                ["mail.sent[0].to"] = JsonSerializer.SerializeToElement("a@x.com"),
                ["orders.B9.status"] = JsonSerializer.SerializeToElement("delivered"),
            },
        };

        var verdicts = Scorer.Score(With(expect), Run("ok"), [], env).Where(v => v.Kind == "state").ToList();

        Assert.Equal([true, true, true, false], verdicts.Select(v => v.Passed));
        Assert.Equal("orders.B9.status is missing, expected \"delivered\".", verdicts[3].Reason);
    }

    [Fact]
    public void Score_Bounds_TokensCostAndLatency()
    {
        var run = Run("ok") with { InputTokens = 900, OutputTokens = 200, CostUsd = 0.02m };

        Assert.Equal("1,100 tokens, more than the 1,000 allowed.", Last(new() { MaxTokens = 1000 }, run).Reason);
        Assert.True(Last(new() { MaxCostUsd = 0.05m }, run).Passed);
        Assert.Equal("The cost is unknown (a model has no price), so the bound cannot hold.", Last(new() { MaxCostUsd = 0.05m }, run with { CostUsd = null }).Reason);
        Assert.Equal("2500 ms, more than the 2000 allowed.", Last(new() { MaxLatencyMs = 2000 }, run, latency: 2500).Reason);
    }

    [Fact]
    public void Score_ReasonsQuotingJsonValues_ShowTheTextAsWritten()
    {
        // A suite's values come from YAML through the serializer's default encoder, which escapes + < ' and non-ASCII
        // text, and a recorded call's arguments may be escaped the same way (the scripted upstream writes them so).
        var expected = JsonSerializer.SerializeToElement("2+3 <b> it's café");
        var arguments = JsonSerializer.Serialize(new { expression = "2+4 <b> it's café" });
        var expect = new Expectations
        {
            ToolsCalled = [new ToolExpectation("calculator.evaluate", new Dictionary<string, JsonElement> { ["expression"] = expected })],
            ToolsNotCalled = ["calculator.evaluate"],
            OutputJsonPath = new Dictionary<string, JsonElement> { ["$.expression"] = expected },
            State = new Dictionary<string, JsonElement> { ["expression"] = expected },
        };
        var run = Run(arguments) with { State = JsonSerializer.SerializeToElement(new { expression = "2+4 <b> it's café" }) };

        var reasons = Scorer.Score(With(expect), run, [new(1, "calculator.evaluate", arguments, "5", false)]).Skip(1).Select(v => v.Reason);

        Assert.Equal(
            [
                "$.expression is \"2+4 <b> it's café\", expected \"2+3 <b> it's café\".",
                "calculator.evaluate was called, but never with expression=\"2+3 <b> it's café\": expression was \"2+4 <b> it's café\".",
                "expression is \"2+4 <b> it's café\", expected \"2+3 <b> it's café\".",
                "calculator.evaluate ran 1 time(s), first at step 1 with {\"expression\":\"2+4 <b> it's café\"}.",
            ],
            reasons);
    }

    [Fact]
    public void Score_JsonPathIndexPastAnyInt_IsMissingNotACrash()
    {
        var expect = new Expectations { OutputJsonPath = new Dictionary<string, JsonElement> { ["$.items[99999999999]"] = JsonSerializer.SerializeToElement(1) } };

        var verdict = Last(expect, Run("""{"items":[1]}"""));

        Assert.Equal(("output.json_path", false, "$.items[99999999999] is missing, expected 1."), (verdict.Kind, verdict.Passed, verdict.Reason));
    }

    [Fact]
    public void Score_ToolServerCalls_AreMatchedByTheirNamesAndOrderedAmongThemselves()
    {
        ToolCallResult[] model = [Call(1, "check_stock"), Call(2, "reserve")];
        ToolCallResult[] servers =
        [
            new(1, "inventory GET /stock", """{"sku":"MUG-01"}""", "{}", false, "ok", "http:inventory"),
            new(2, "shop.reserve", """{"sku":"MUG-01","quantity":1}""", "ok", false, "ok", "mcp:shop"),
        ];
        var expect = new Expectations
        {
            ToolsCalled = [Expect("check_stock", "{}"), Expect("reserve", "{}"), Expect("inventory GET /stock", "{}"), Expect("shop.reserve", """{"quantity":1}""")],
            ToolsOrder = ToolOrder.Subset,
        };

        var verdicts = Scorer.Score(With(expect), Run("ok"), model, serverCalls: servers);

        Assert.All(verdicts, v => Assert.True(v.Passed, v.Reason));
        // One order per sequence: the model's calls, and the tool servers' calls.
        Assert.Equal(2, verdicts.Count(v => v.Kind == "tools.order"));
    }

    [Fact]
    public void Score_AMisspeltToolServerCall_ListsTheServersCalls()
    {
        ToolCallResult[] servers = [new(2, "shop.reserve", "{}", "ok", false, "ok", "mcp:shop")];

        var verdict = Scorer.Score(With(new() { ToolsCalled = [Expect("shop.reserv", "{}")] }), Run("ok"), [Call(1, "reserve")], serverCalls: servers)[1];

        Assert.False(verdict.Passed);
        Assert.Contains("shop.reserve", verdict.Reason, StringComparison.Ordinal);
    }
}
