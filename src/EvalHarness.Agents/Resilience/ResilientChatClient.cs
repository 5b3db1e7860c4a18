using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace EvalHarness.Agents.Resilience;

/// <summary>
/// Model calls with retries (exponential backoff with jitter, Retry-After honoured, only for transient
/// failures), a circuit breaker and a per-attempt timeout, built on Polly. A streamed call is an attempt
/// until its first update (see <see cref="ResilientStream"/>).
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private static readonly ResiliencePropertyKey<TimeSpan> IntendedDelay = new("evalh.intended-delay");
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;

    /// <summary>Creates the client; <paramref name="onRetry"/> is told of each retry (attempt, delay, cause).</summary>
    public ResilientChatClient(IChatClient inner, ResilienceOptions options, TimeProvider time, Action<int, TimeSpan, Exception>? onRetry = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var transient = new PredicateBuilder().Handle<Exception>(TransientFailure.IsTransient);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        // max_retries: 0 turns off retrying only: the breaker and the attempt time-out below still apply
        // (and Polly's retry strategy needs at least one attempt, so it is left out rather than set to zero).
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                DelayGenerator = args =>
                {
                    var asked = args.Outcome.Exception is { } e ? TransientFailure.RetryAfter(e, time.GetUtcNow()) : null;
                    TimeSpan? delay = asked is { } wait ? (wait < options.MaxDelay ? wait : options.MaxDelay) : null;
                    if (!options.SkipDelays)
                    {
                        return ValueTask.FromResult(delay);
                    }

                    // Replay: report the delay the run would wait live (without jitter, so it is stable), wait none.
                    var backoff = TimeSpan.FromTicks(Math.Min(options.MaxDelay.Ticks, options.BaseDelay.Ticks * (1L << Math.Min(args.AttemptNumber, 20))));
                    args.Context.Properties.Set(IntendedDelay, delay ?? backoff);
                    return ValueTask.FromResult<TimeSpan?>(TimeSpan.Zero);
                },
                OnRetry = args =>
                {
                    var delay = args.Context.Properties.TryGetValue(IntendedDelay, out var intended) ? intended : args.RetryDelay;
                    onRetry?.Invoke(args.AttemptNumber + 1, delay, args.Outcome.Exception!);
                    return default;
                },
            });
        }

        _pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(60),
                BreakDuration = options.BreakDuration,
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout })
            .Build();
        _attemptTimeout = options.AttemptTimeout;
        _time = time;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.Self.InnerGetAsync(state.List, state.Options, ctx.CancellationToken),
                context,
                (Self: this, List: list, Options: options));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        return ResilientStream.RunAsync(_pipeline, token => base.GetStreamingResponseAsync(list, options, token), _attemptTimeout, _time, cancellationToken);
    }

    private Task<ChatResponse> InnerGetAsync(IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        base.GetResponseAsync(messages, options, cancellationToken);
}
