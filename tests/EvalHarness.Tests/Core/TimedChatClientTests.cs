using System.Runtime.CompilerServices;
using EvalHarness.Core.Running;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>The time a case spends waiting on the model, which its harness time leaves out.</summary>
public sealed class TimedChatClientTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Elapsed_PlainCall_CountsTheWaitForTheAnswer()
    {
        var clock = new VirtualClock();
        var inner = new TestChatClient { OnGetResponse = (_, _, _) => { clock.Advance(TimeSpan.FromMilliseconds(250)); return Task.FromResult(TestChatClient.Text("ok")); } };
        using var timed = new TimedChatClient(inner, clock);

        await timed.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: Ct);

        Assert.Equal(TimeSpan.FromMilliseconds(250), timed.Elapsed);
    }

    [Fact]
    public async Task Elapsed_StreamedCall_CountsOnlyTheWaitsOnTheStream()
    {
        var clock = new VirtualClock();
        var inner = new TestChatClient { OnGetStreamingResponse = (_, _, _) => Stream(clock) };
        using var timed = new TimedChatClient(inner, clock);

        await foreach (var update in timed.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], cancellationToken: Ct))
        {
            clock.Advance(TimeSpan.FromSeconds(1)); // the agent's own work on each update
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100 + 200 + 30 + 5), timed.Elapsed);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(VirtualClock clock, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            clock.Advance(TimeSpan.FromMilliseconds(100)); // time to first byte
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hel");
            await Task.Yield();
            clock.Advance(TimeSpan.FromMilliseconds(200));
            yield return new ChatResponseUpdate(ChatRole.Assistant, "lo");
            clock.Advance(TimeSpan.FromMilliseconds(30)); // the end of the stream
        }
        finally
        {
            clock.Advance(TimeSpan.FromMilliseconds(5)); // closing the connection
        }
    }
}
