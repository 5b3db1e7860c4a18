using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;

namespace EvalHarness.Agents.Resilience;

/// <summary>
/// Model calls with retries (exponential backoff with jitter, Retry-After honoured, only for transient
/// failures), a circuit breaker and a per-attempt timeout, built on Polly. A streamed call is an attempt
/// until its first update (see <see cref="ResilientStream"/>).
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private readonly PipelinePool.Lease _lease;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;
    private int _inFlight;

    /// <summary>Creates the client; <paramref name="onRetry"/> is told of each retry (attempt, delay, cause).</summary>
    /// <remarks>The pipeline is rented from a pool of pipelines built with the same options and given back on disposal.</remarks>
    public ResilientChatClient(IChatClient inner, ResilienceOptions options, TimeProvider time, Action<int, TimeSpan, Exception>? onRetry = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _lease = PipelinePool.Rent(options, time, onRetry);
        _pipeline = _lease.Pipeline;
        _attemptTimeout = options.AttemptTimeout;
        _time = time;
    }

    /// <summary>The pipeline this client rented (for tests: whether a pipeline was reused).</summary>
    internal ResiliencePipeline Pipeline => _pipeline;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        Interlocked.Increment(ref _inFlight);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.Self.InnerGetAsync(state.List, state.Options, ctx.CancellationToken),
                context,
                (Self: this, List: list, Options: options));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        // In flight from now until the stream is enumerated to its end or disposed: one never enumerated keeps the pipeline out of the pool.
        Interlocked.Increment(ref _inFlight);
        return Tracked(ResilientStream.RunAsync(_pipeline, token => base.GetStreamingResponseAsync(list, options, token), _attemptTimeout, _time, cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>The pipeline goes back to the pool unless a call is still in flight on it (it is then left to the collector).</remarks>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.CompareExchange(ref _inFlight, int.MinValue, 0) == 0)
        {
            _lease.Return();
        }

        base.Dispose(disposing);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Tracked(IAsyncEnumerable<ChatResponseUpdate> stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var update in stream.WithCancellation(cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private Task<ChatResponse> InnerGetAsync(IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        base.GetResponseAsync(messages, options, cancellationToken);
}
