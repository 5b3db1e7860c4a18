using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;

namespace EvalHarness.Agents.Resilience;

/// <summary>
/// A streamed model call under the resilience pipeline. Until the first update arrives the call is an attempt
/// like a plain one: retried, counted by the breaker and bounded by the attempt timeout. Once an update has been
/// passed on it cannot be taken back, so later failures end the stream without a retry, and the attempt timeout
/// becomes an idle timeout between updates.
/// </summary>
internal static class ResilientStream
{
    public static async IAsyncEnumerable<ChatResponseUpdate> RunAsync(
        ResiliencePipeline pipeline,
        Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> open,
        TimeSpan idleTimeout,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        Opened opened;
        try
        {
            opened = await pipeline.ExecuteAsync(
                static async (ctx, state) => await OpenAsync(state.Open, state.Time, ctx.CancellationToken, state.Token),
                context,
                (Open: open, Time: time, Token: cancellationToken));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        await using (opened)
        {
            if (!opened.HasFirst)
            {
                yield break;
            }

            yield return opened.Enumerator.Current;
            while (true)
            {
                opened.Idle.CancelAfter(idleTimeout);
                bool more;
                try
                {
                    more = await opened.Enumerator.MoveNextAsync();
                }
                catch (OperationCanceledException) when (opened.Idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new StreamStalledException(idleTimeout);
                }

                if (!more)
                {
                    yield break;
                }

                yield return opened.Enumerator.Current;
            }
        }
    }

    /// <summary>
    /// One attempt: opens the stream and waits for its first update. The stream's token is a source of its own,
    /// cancelled by the caller's token always and by the attempt's (timeout) token only until the first update,
    /// because the pipeline's token does not outlive the attempt.
    /// </summary>
    private static async ValueTask<Opened> OpenAsync(
        Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> open, TimeProvider time, CancellationToken attempt, CancellationToken caller)
    {
        var source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var callerLink = caller.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        try
        {
            bool hasFirst;
            await using (attempt.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source))
            {
                enumerator = open(source.Token).GetAsyncEnumerator(source.Token);
                hasFirst = await enumerator.MoveNextAsync();
            }

            return new Opened(enumerator, hasFirst, source, callerLink);
        }
        catch
        {
            if (enumerator is not null)
            {
                await DisposeQuietlyAsync(enumerator);
            }

            await callerLink.DisposeAsync();
            source.Dispose();
            attempt.ThrowIfCancellationRequested();
            throw;
        }
    }

    /// <summary>A failed attempt's enumerator is disposed without letting its own failure hide the one that ended it.</summary>
    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<ChatResponseUpdate> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The attempt's own failure is the one worth reporting.
        }
    }

    private sealed class Opened(IAsyncEnumerator<ChatResponseUpdate> enumerator, bool hasFirst, CancellationTokenSource idle, CancellationTokenRegistration callerLink)
        : IAsyncDisposable
    {
        public IAsyncEnumerator<ChatResponseUpdate> Enumerator { get; } = enumerator;

        public bool HasFirst { get; } = hasFirst;

        /// <summary>The stream's own token source, armed as an idle timeout once the first update is out.</summary>
        public CancellationTokenSource Idle { get; } = idle;

        public async ValueTask DisposeAsync()
        {
            await Enumerator.DisposeAsync();
            await callerLink.DisposeAsync();
            Idle.Dispose();
        }
    }
}
