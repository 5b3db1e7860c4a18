using System.Runtime.CompilerServices;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Runtime;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Agents;

/// <summary>
/// A streamed model call gets the plain call's resilience up to its first update (retry, breaker, attempt
/// timeout); after it, a failure ends the call without a retry and the timeout watches the gaps between updates.
/// </summary>
public sealed class StreamingResilienceTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static AgentOptions Options(ResilienceOptions? resilience = null) => new("m", "system", [], new AgentLimits(maxSteps: 5))
    {
        Streaming = true,
        Resilience = resilience ?? new ResilienceOptions(maxRetries: 2, baseDelay: TimeSpan.FromMilliseconds(1)) { SkipDelays = true },
    };

    private static ResilienceOptions Timeouts(int maxRetries) =>
        new(maxRetries: maxRetries, baseDelay: TimeSpan.FromMilliseconds(1), attemptTimeout: TimeSpan.FromMilliseconds(50)) { SkipDelays = true };

    private static ChatResponseUpdate Piece(string text) => new(ChatRole.Assistant, text);

    private static async IAsyncEnumerable<ChatResponseUpdate> Pieces(params string[] texts)
    {
        foreach (var text in texts)
        {
            await Task.Yield();
            yield return Piece(text);
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> FailAfter(Exception error, string? first, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        if (first is not null)
        {
            yield return Piece(first);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw error;
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> HangAfter(string? first, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (first is not null)
        {
            yield return Piece(first);
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield return Piece("never");
    }

    [Fact]
    public async Task Stream_FailsBeforeFirstUpdate_IsRetried()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetStreamingResponse = (_, _, ct) => ++calls == 1 ? FailAfter(new HttpRequestException("connection reset"), null, ct) : Pieces("all ", "good") };

        var run = await new Agent(client, Options()).RunAsync("go", Ct);

        Assert.Equal((AgentOutcome.Completed, "all good"), (run.Outcome, run.FinalText));
        Assert.Equal(2, calls);
        Assert.Equal(1, run.Counters[RunCounters.Retries]);
        Assert.Equal("connection reset", Assert.Single(run.Trace, s => s.Kind == "retry").Tags["error"]);
    }

    [Fact]
    public async Task Stream_FailsAfterFirstUpdate_IsNotRetried()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetStreamingResponse = (_, _, ct) => { calls++; return FailAfter(new HttpRequestException("connection reset mid-stream"), "par", ct); } };

        var run = await new Agent(client, Options()).RunAsync("go", Ct);

        Assert.Equal((AgentOutcome.Failed, 1), (run.Outcome, calls));
        Assert.False(run.Counters.ContainsKey(RunCounters.Retries));
        Assert.Contains("connection reset mid-stream", run.Reason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)] // a hang that is not caught fails here rather than holding the test run
    public async Task Stream_HangsBeforeFirstUpdate_TimesOutAndIsRetried()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetStreamingResponse = (_, _, ct) => { calls++; return HangAfter(null, ct); } };

        var run = await new Agent(client, Options(Timeouts(maxRetries: 1))).RunAsync("go", Ct);

        Assert.Equal((AgentOutcome.Failed, 2), (run.Outcome, calls));
        Assert.Equal(1, run.Counters[RunCounters.Retries]);
        Assert.Contains("timed out after 0.05 s", run.Reason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)] // a hang that is not caught fails here rather than holding the test run
    public async Task Stream_StallsAfterFirstUpdate_EndsAsAStallWithoutRetry()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetStreamingResponse = (_, _, ct) => { calls++; return HangAfter("Hel", ct); } };

        var run = await new Agent(client, Options(Timeouts(maxRetries: 3))).RunAsync("go", Ct);

        Assert.Equal((AgentOutcome.Failed, 1), (run.Outcome, calls));
        Assert.Contains("stream sent nothing for 0.05 s after it had begun", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_RepeatedFailures_OpenTheCircuitBreaker()
    {
        var calls = 0;
        var client = new TestChatClient { OnGetStreamingResponse = (_, _, ct) => { calls++; return FailAfter(new HttpRequestException("503"), null, ct); } };
        var resilience = new ResilienceOptions(maxRetries: 5, baseDelay: TimeSpan.FromMilliseconds(1), breakerMinimumThroughput: 2) { SkipDelays = true };

        var run = await new Agent(client, Options(resilience)).RunAsync("go", Ct);

        Assert.Equal((AgentOutcome.Failed, 2), (run.Outcome, calls));
        Assert.Contains("circuit", run.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 30_000)] // a hang that is not caught fails here rather than holding the test run
    public async Task Stream_CancelledByTheCaller_EndsCancelledNotStalled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var client = new TestChatClient
        {
            OnGetStreamingResponse = (_, _, ct) =>
            {
                cts.CancelAfter(TimeSpan.FromMilliseconds(20));
                return HangAfter("Hel", ct);
            },
        };

        var run = await new Agent(client, Options(new ResilienceOptions(maxRetries: 2, attemptTimeout: TimeSpan.FromMinutes(5)))).RunAsync("go", cts.Token);

        Assert.Equal(AgentOutcome.Cancelled, run.Outcome);
    }
}
