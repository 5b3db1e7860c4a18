using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Running;

/// <summary>
/// Measures the wall time spent inside model calls, so a case's harness time can leave out the round
/// trip to the cassette server (an artefact of replay) and keep only the agent's own work.
/// </summary>
internal sealed class TimedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private long _ticks;

    /// <summary>Total time spent in model calls so far.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start);
        }
    }
}
