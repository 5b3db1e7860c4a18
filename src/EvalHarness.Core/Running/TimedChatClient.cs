using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Running;

/// <summary>
/// Measures the wall time spent inside model calls, so a case's harness time can leave out the round
/// trip to the cassette server (an artefact of replay) and keep only the agent's own work. For a streamed
/// call that is the time spent waiting on the stream (opening it, each next update, closing it), not the
/// time the agent spends on the updates between them.
/// </summary>
internal sealed class TimedChatClient(IChatClient inner, TimeProvider? time = null) : DelegatingChatClient(inner)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _ticks;

    /// <summary>Total time spent in model calls so far.</summary>
    public TimeSpan Elapsed => TimeSpan.FromSeconds((double)Interlocked.Read(ref _ticks) / _time.TimestampFrequency);

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var start = _time.GetTimestamp();
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        finally
        {
            Count(start);
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var start = _time.GetTimestamp();
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await updates.MoveNextAsync();
                }
                finally
                {
                    Count(start);
                }

                if (!more)
                {
                    yield break;
                }

                yield return updates.Current;
                start = _time.GetTimestamp();
            }
        }
        finally
        {
            start = _time.GetTimestamp();
            await updates.DisposeAsync();
            Count(start);
        }
    }

    private void Count(long start) => Interlocked.Add(ref _ticks, _time.GetTimestamp() - start);
}
