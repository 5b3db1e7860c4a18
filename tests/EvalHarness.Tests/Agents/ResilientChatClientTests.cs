using System.Runtime.CompilerServices;
using EvalHarness.Agents.Resilience;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace EvalHarness.Tests.Agents;

/// <summary>
/// <c>max_retries: 0</c> turns off retrying only: each call is still bounded by the attempt time-out and still
/// counted by the circuit breaker, plain or streamed.
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
}
