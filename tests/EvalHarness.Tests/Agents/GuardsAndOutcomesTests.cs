using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Runtime;
using EvalHarness.Agents.Tools;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;
using static EvalHarness.Tests.Support.TestChatClient;

namespace EvalHarness.Tests.Agents;

/// <summary>Every way a run can end, and the resilience of model calls.</summary>
public sealed class GuardsAndOutcomesTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly AgentTool Lookup = new(AIFunctionFactory.Create((string id) => $"order {id}", "lookup"));

    private static AgentOptions Options(AgentLimits? limits = null) => new("m", "system", [Lookup], limits ?? new AgentLimits(maxSteps: 10))
    {
        Resilience = new ResilienceOptions(maxRetries: 2, baseDelay: TimeSpan.FromMilliseconds(1)) { SkipDelays = true },
    };

    [Fact]
    public async Task SameCallRepeated_EndsLoopDetectedBeforeRunningItAgain()
    {
        var client = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(Calls(Call(Guid.NewGuid().ToString(), "lookup", ("id", "A1")))) };

        var run = await new Agent(client, Options() with { LoopDetection = new LoopDetectionOptions(window: 4, repeats: 3) }).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.LoopDetected, run.Outcome);
        Assert.Equal(2, run.ToolCalls.Count);
        Assert.Contains("lookup({\"id\":\"A1\"}) 3 times", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DifferentArguments_AreNotALoop()
    {
        var n = 0;
        var client = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(++n < 5 ? Calls(Call($"{n}", "lookup", ("id", $"A{n}"))) : Text("done")) };

        var run = await new Agent(client, Options()).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
    }

    [Fact]
    public async Task TokenBudget_StopsTheRunOnceSpent()
    {
        var client = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(Calls(Call(Guid.NewGuid().ToString(), "lookup", ("id", Guid.NewGuid().ToString())))) };

        var run = await new Agent(client, Options(new AgentLimits(maxSteps: 10, maxTokens: 40))).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.BudgetExceeded, run.Outcome);
        Assert.Equal(3, run.Steps);
        Assert.Equal("The run used 45 tokens, over its budget of 40.", run.Reason);
    }

    [Fact]
    public async Task CostBudget_UsesThePriceOfEachCall()
    {
        var client = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(Calls(Call(Guid.NewGuid().ToString(), "lookup", ("id", Guid.NewGuid().ToString())))) };
        var options = Options(new AgentLimits(maxSteps: 10, maxCostUsd: 0.025m)) with { Pricing = (model, usage) => usage.Total * 0.001m };

        var run = await new Agent(client, options).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.BudgetExceeded, run.Outcome);
        Assert.Equal(0.030m, run.CostUsd);
        Assert.Contains("over its budget of $0.025", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WallClockLimit_EndsTimedOut()
    {
        var time = new EvalHarness.Core.Running.VirtualClock();
        var entered = new TaskCompletionSource();
        var client = new TestChatClient
        {
            OnGetResponse = async (_, _, ct) =>
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return Text("never");
            },
        };
        var options = Options(new AgentLimits(timeout: TimeSpan.FromSeconds(30))) with { Time = time, Resilience = null };

        var running = new Agent(client, options).RunAsync("go", Ct);
        await entered.Task.WaitAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(31));
        var run = await running;

        Assert.Equal(AgentOutcome.TimedOut, run.Outcome);
        Assert.Equal("The run took longer than its timeout (30 s).", run.Reason);
    }

    [Fact]
    public async Task TransientModelFailure_IsRetriedAndCountedInTheTrace()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetResponse = (_, _, _) => ++calls == 1 ? throw new HttpRequestException("connection reset") : Task.FromResult(Text("ok")) };

        var run = await new Agent(client, Options()).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Equal(2, calls);
        Assert.Equal(1, run.Counters[RunCounters.Retries]);
        var retry = Assert.Single(run.Trace, s => s.Kind == "retry");
        Assert.Equal("connection reset", retry.Tags["error"]);
        Assert.Equal("model", run.Trace.Single(s => s.Id == retry.ParentId).Kind);
    }

    [Fact]
    public async Task PermanentModelFailure_IsNotRetried()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetResponse = (_, _, _) => { calls++; throw new InvalidOperationException("400 bad request"); } };

        var run = await new Agent(client, Options()).RunAsync("go", Ct);

        Assert.Equal((AgentOutcome.Failed, 1), (run.Outcome, calls));
        Assert.False(run.Counters.ContainsKey(RunCounters.Retries));
    }

    [Fact]
    public async Task RetriesExhausted_FailsWithTheLastError()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetResponse = (_, _, _) => { calls++; throw new HttpRequestException("still down"); } };

        var run = await new Agent(client, Options()).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Failed, run.Outcome);
        Assert.Equal(3, calls);
        Assert.Equal(2, run.Counters[RunCounters.Retries]);
        Assert.Contains("still down", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CircuitBreaker_OpensAndStopsFurtherAttempts()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetResponse = (_, _, _) => { calls++; throw new HttpRequestException("503"); } };
        var options = Options() with { Resilience = new ResilienceOptions(maxRetries: 5, baseDelay: TimeSpan.FromMilliseconds(1), breakerMinimumThroughput: 2) { SkipDelays = true } };

        var run = await new Agent(client, options).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Failed, run.Outcome);
        Assert.Equal(2, calls);
        Assert.Contains("circuit", run.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AttemptTimeout_TurnsAHangIntoARetryThenAFailure()
    {
        var calls = 0;
        var client = new TestChatClient
        {
            OnGetResponse = async (_, _, ct) =>
            {
                calls++;
                await Task.Delay(Timeout.Infinite, ct);
                return Text("never");
            },
        };
        var options = Options() with { Resilience = new ResilienceOptions(maxRetries: 1, baseDelay: TimeSpan.FromMilliseconds(1), attemptTimeout: TimeSpan.FromMilliseconds(50)) { SkipDelays = true } };

        var run = await new Agent(client, options).RunAsync("go", Ct);

        Assert.Equal((AgentOutcome.Failed, 2), (run.Outcome, calls));
        Assert.Contains("timed out", run.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(0, null, null, null)]
    [InlineData(5, -1L, null, null)]
    [InlineData(5, null, "0", null)]
    [InlineData(5, null, null, -3)]
    public void Limits_InvalidValues_FailWhenBuilt(int steps, long? tokens, string? cost, int? timeoutSeconds) =>
        Assert.ThrowsAny<ArgumentException>(() => new AgentLimits(steps, tokens, cost is null ? null : decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), timeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null));

    [Fact]
    public void LoopDetection_WindowSmallerThanRepeats_FailsWhenBuilt() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoopDetectionOptions(window: 2, repeats: 3));
}
