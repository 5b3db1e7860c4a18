using EvalHarness.Core.Running;

namespace EvalHarness.Tests.Core;

/// <summary>The live recording's limit: halved and paused by a 429, raised again by successes, never above its maximum.</summary>
public sealed class AdaptiveConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AThrottledAnswer_HalvesTheLimit_AndHoldsNewCasesBackForItsRetryAfter()
    {
        var clock = new VirtualClock();
        var limit = new AdaptiveConcurrency(4, clock);
        var running = new List<IDisposable>();
        for (var i = 0; i < 4; i++)
        {
            running.Add(await limit.EnterAsync(Ct));
        }

        limit.Answered(429, TimeSpan.FromSeconds(2));
        Assert.Equal((2, 2, 1), (limit.Limit, limit.Lowest, limit.Throttles));

        // Four cases still hold their slots: two end, but the pause keeps the next one waiting.
        running[0].Dispose();
        running[1].Dispose();
        running[2].Dispose();
        var next = limit.EnterAsync(Ct).AsTask();
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        (await next.WaitAsync(TimeSpan.FromSeconds(10), Ct)).Dispose();
    }

    [Fact]
    public async Task Successes_RaiseTheLimitByOneForEachLimitsWorth_UpToTheMaximum()
    {
        var clock = new VirtualClock();
        var limit = new AdaptiveConcurrency(8, clock);
        limit.Answered(429, null);
        limit.Answered(429, null);
        Assert.Equal(2, limit.Limit);

        limit.Answered(200, null);
        Assert.Equal(2, limit.Limit);
        limit.Answered(200, null);
        Assert.Equal(3, limit.Limit); // two successes at a limit of two
        for (var i = 0; i < 100; i++)
        {
            limit.Answered(200, null);
        }

        Assert.Equal((8, 2, 2), (limit.Limit, limit.Lowest, limit.Throttles));
        clock.Advance(TimeSpan.FromSeconds(1)); // the default pause of an answer without Retry-After
        (await limit.EnterAsync(Ct)).Dispose();
    }

    [Fact]
    public async Task AWaitingCase_StartsWhenASlotIsFreed_AndACancelledOneNeverTakesASlot()
    {
        var limit = new AdaptiveConcurrency(1, new VirtualClock());
        var first = await limit.EnterAsync(Ct);
        using var stop = new CancellationTokenSource();
        var cancelled = limit.EnterAsync(stop.Token).AsTask();
        var waiting = limit.EnterAsync(Ct).AsTask();

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(waiting.IsCompleted);
        first.Dispose();
        first.Dispose(); // twice is once
        var second = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(limit.EnterAsync(Ct).AsTask().IsCompleted); // one slot, held by the second
        second.Dispose();
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(529, true)]
    [InlineData(500, false)]
    public void AnOverloadedAnswer_BacksOffOnlyWithARetryAfter(int status, bool withRetryAfter)
    {
        var limit = new AdaptiveConcurrency(4, new VirtualClock());

        limit.Answered(status, TimeSpan.FromSeconds(1));
        limit.Answered(status, null);

        Assert.Equal(withRetryAfter ? 2 : 4, limit.Limit);
    }
}
