using System.Runtime.CompilerServices;
using EvalHarness.Agents.Resilience;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;
using EvalHarness.Core.Running;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace EvalHarness.Tests.Agents;

/// <summary>
/// <c>max_retries: 0</c> turns off retrying only: each call is still bounded by the attempt time-out and still
/// counted by the circuit breaker, plain or streamed. A client's pipeline is reused by the next client with the same
/// options (<see cref="PipelinePool"/>), and behaves for it as a new one: its breaker closed, its clock and its retry
/// callback the new client's.
/// </summary>
public sealed class ResilientChatClientTests
{
    private static ResilienceOptions NoRetries(TimeSpan? attemptTimeout = null) =>
        new(maxRetries: 0, baseDelay: TimeSpan.FromMilliseconds(1), attemptTimeout: attemptTimeout ?? TimeSpan.FromMinutes(5), breakerMinimumThroughput: 2) { SkipDelays = true };

    private static async IAsyncEnumerable<ChatResponseUpdate> Hang([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "never");
    }

    [Fact(Timeout = 10_000)] // without the attempt time-out the call hangs: the test's own limit fails it
    public async Task GetResponseAsync_NoRetriesAndAHang_TimesOut()
    {
        var inner = new TestChatClient { OnGetResponse = async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return TestChatClient.Text("never"); } };
        using var client = new ResilientChatClient(inner, NoRetries(TimeSpan.FromMilliseconds(50)), TimeProvider.System);

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 10_000)] // without the attempt time-out the call hangs: the test's own limit fails it
    public async Task GetStreamingResponseAsync_NoRetriesAndAHang_TimesOut()
    {
        var inner = new TestChatClient { OnGetStreamingResponse = (_, _, ct) => Hang(ct) };
        using var client = new ResilientChatClient(inner, NoRetries(TimeSpan.FromMilliseconds(50)), TimeProvider.System);

        await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken))
            {
                Assert.Fail($"No update was expected, got {update}.");
            }
        });
    }

    [Fact]
    public async Task GetResponseAsync_NoRetriesAndRepeatedFailures_OpenTheCircuitBreaker()
    {
        var calls = 0;
        var inner = new TestChatClient { OnGetResponse = (_, _, _) => { calls++; throw new HttpRequestException("503"); } };
        using var client = new ResilientChatClient(inner, NoRetries(), TimeProvider.System);

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task GetResponseAsync_NoRetries_CallsOnce()
    {
        var calls = 0;
        var inner = new TestChatClient { OnGetResponse = (_, _, _) => { calls++; throw new HttpRequestException("connection reset"); } };
        using var client = new ResilientChatClient(inner, NoRetries(), TimeProvider.System);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(1, calls);
    }

    // Options no other test uses, so that the pool's pipelines for them are this test's alone.
    private static ResilienceOptions OwnOptions(int maxRetries = 0, [CallerMemberName] string test = "") =>
        new(maxRetries, baseDelay: TimeSpan.FromMilliseconds(1), attemptTimeout: TimeSpan.FromMinutes(1), breakerMinimumThroughput: 2,
            breakDuration: TimeSpan.FromSeconds(30) + TimeSpan.FromTicks((uint)StringComparer.Ordinal.GetHashCode(test) % 1_000_000 + 1))
        { SkipDelays = true };

    [Fact]
    public async Task Dispose_AfterTheBreakerOpened_TheNextClientGetsThePipelineClosed()
    {
        var options = OwnOptions();
        var failing = new TestChatClient { OnGetResponse = (_, _, _) => throw new HttpRequestException("503") };
        var first = new ResilientChatClient(failing, options, TimeProvider.System);
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => first.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => first.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken));
        first.Dispose();

        using var second = new ResilientChatClient(new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(TestChatClient.Text("ok")) }, options, TimeProvider.System);
        var response = await second.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Same(first.Pipeline, second.Pipeline);
        Assert.Equal("ok", response.Text);
    }

    [Fact(Timeout = 10_000)] // on the first client's (system) clock the attempt waits a minute: the test's own limit fails it
    public async Task Rent_AReusedPipeline_ReadsTheNewClientsClock()
    {
        var options = OwnOptions();
        var first = new ResilientChatClient(new TestChatClient(), options, TimeProvider.System);
        first.Dispose();
        var clock = new VirtualClock();
        var hang = new TestChatClient { OnGetResponse = async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return TestChatClient.Text("never"); } };
        using var second = new ResilientChatClient(hang, options, clock);

        var call = second.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Same(first.Pipeline, second.Pipeline);
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => call);
    }

    [Fact]
    public async Task OnRetry_OfAReusedPipeline_TellsTheClientThatRetried()
    {
        var options = OwnOptions(maxRetries: 1);
        TestChatClient FailsOnce()
        {
            var calls = 0;
            return new TestChatClient { OnGetResponse = (_, _, _) => ++calls == 1 ? throw new HttpRequestException("503") : Task.FromResult(TestChatClient.Text("ok")) };
        }

        var (firstRetries, secondRetries) = (0, 0);
        var first = new ResilientChatClient(FailsOnce(), options, TimeProvider.System, (_, _, _) => firstRetries++);
        await first.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken);
        first.Dispose();
        using var second = new ResilientChatClient(FailsOnce(), options, TimeProvider.System, (_, _, _) => secondRetries++);
        await second.GetResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Same(first.Pipeline, second.Pipeline);
        Assert.Equal((1, 1), (firstRetries, secondRetries));
    }

    [Fact]
    public async Task Dispose_WithAStreamStillOpen_KeepsThePipelineFromTheNextClient()
    {
        var options = OwnOptions();
        static async IAsyncEnumerable<ChatResponseUpdate> TwoUpdates()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "one");
            yield return new ChatResponseUpdate(ChatRole.Assistant, "two");
        }

        var first = new ResilientChatClient(new TestChatClient { OnGetStreamingResponse = (_, _, _) => TwoUpdates() }, options, TimeProvider.System);
        await using var stream = first.GetStreamingResponseAsync("go", cancellationToken: TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await stream.MoveNextAsync());
        first.Dispose();

        using var second = new ResilientChatClient(new TestChatClient(), options, TimeProvider.System);

        Assert.NotSame(first.Pipeline, second.Pipeline);
    }
}
