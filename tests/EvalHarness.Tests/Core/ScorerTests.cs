using System.Text.Json;
using EvalHarness.Agents.Runtime;
using EvalHarness.Core.Assertions;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;

namespace EvalHarness.Tests.Core;

public sealed class ScorerTests
{
    private static AgentRun Run(string text, int steps = 2, AgentOutcome outcome = AgentOutcome.Completed) => new()
    {
        RunId = "run_test",
        Outcome = outcome,
        Reason = "test",
        FinalText = text,
        Messages = [],
        ToolCalls = [],
        Steps = steps,
        Usage = default,
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
        var verdict = Scorer.Score(With(new()), Run("", outcome: AgentOutcome.MaxSteps), [])[0];

        Assert.False(verdict.Passed);
        Assert.Contains("ended max_steps", verdict.Reason, StringComparison.Ordinal);
    }
}
