using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace EvalHarness.Agents.Resilience;

/// <summary>
/// The resilience pipelines of <see cref="ResilientChatClient"/>, kept for reuse by one client at a time. Building a
/// Polly pipeline validates its options with DataAnnotations (reflection, under a lock every worker of a run contends
/// for): about a tenth of a millisecond, a tenth of a replayed case's CPU, for options that are the same in every case.
/// </summary>
/// <remarks>
/// A pipeline keeps state between calls: its breaker's health figures and the clock it reads. A lease gives it the
/// renting client's clock and retry callback, and a pipeline is closed on its return, which clears its breaker's
/// figures (Polly's manual close resets them), so a rented pipeline behaves exactly as a new one would.
/// </remarks>
internal static class PipelinePool
{
    /// <summary>The most idle pipelines kept per options: as many as a run has clients at once.</summary>
    private const int KeptPerOptions = 64;

    private static readonly ConcurrentDictionary<ResilienceOptions, ConcurrentBag<Pipeline>> Idle = new();

    /// <summary>A pipeline for <paramref name="options"/> on <paramref name="time"/>, idle or new.</summary>
    public static Lease Rent(ResilienceOptions options, TimeProvider time, Action<int, TimeSpan, Exception>? onRetry)
    {
        var idle = Idle.GetOrAdd(options, static _ => []);
        if (!idle.TryTake(out var pipeline))
        {
            pipeline = new Pipeline(options);
        }

        pipeline.Time.Target = time;
        pipeline.OnRetry = onRetry;
        return new Lease(pipeline, idle);
    }

    /// <summary>One client's use of a pipeline, from its construction to its disposal.</summary>
    internal sealed class Lease(Pipeline pipeline, ConcurrentBag<Pipeline> idle)
    {
        private int _returned;

        /// <summary>The pipeline to execute calls on.</summary>
        public ResiliencePipeline Pipeline => pipeline.Polly;

        /// <summary>Gives the pipeline back, its breaker closed and its figures cleared; only the first return counts.</summary>
        public void Return()
        {
            if (Interlocked.Exchange(ref _returned, 1) != 0)
            {
                return;
            }

            // The breaker has no on-closed handler, so closing it completes at once; it also clears the health figures.
            pipeline.Breaker.CloseAsync().GetAwaiter().GetResult();
            pipeline.Time.Target = TimeProvider.System;
            pipeline.OnRetry = null;
            if (idle.Count < KeptPerOptions)
            {
                idle.Add(pipeline);
            }
        }
    }

    /// <summary>A built pipeline with the parts a lease swaps: its clock and its retry callback.</summary>
    internal sealed class Pipeline
    {
        private static readonly ResiliencePropertyKey<TimeSpan> IntendedDelay = new("evalh.intended-delay");

        public Pipeline(ResilienceOptions options)
        {
            var transient = new PredicateBuilder().Handle<Exception>(TransientFailure.IsTransient);
            var builder = new ResiliencePipelineBuilder { TimeProvider = Time };
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
                        var asked = args.Outcome.Exception is { } e ? TransientFailure.RetryAfter(e, Time.GetUtcNow()) : null;
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
                        OnRetry?.Invoke(args.AttemptNumber + 1, delay, args.Outcome.Exception!);
                        return default;
                    },
                });
            }

            Polly = builder
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    ShouldHandle = transient,
                    FailureRatio = options.BreakerFailureRatio,
                    MinimumThroughput = options.BreakerMinimumThroughput,
                    SamplingDuration = TimeSpan.FromSeconds(60),
                    BreakDuration = options.BreakDuration,
                    ManualControl = Breaker,
                })
                .AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout })
                .Build();
        }

        /// <summary>The clock every strategy of the pipeline reads: the renting client's.</summary>
        public SwitchedTime Time { get; } = new();

        /// <summary>Told of each retry: the renting client's callback.</summary>
        public Action<int, TimeSpan, Exception>? OnRetry { get; set; }

        /// <summary>Closes the breaker (and clears its figures) between leases.</summary>
        public CircuitBreakerManualControl Breaker { get; } = new();

        public ResiliencePipeline Polly { get; }
    }

    /// <summary>A clock that reads whichever clock it is pointed at: a pipeline's clock for as long as a client rents it.</summary>
    internal sealed class SwitchedTime : TimeProvider
    {
        public TimeProvider Target { get; set; } = System;

        public override DateTimeOffset GetUtcNow() => Target.GetUtcNow();

        public override long GetTimestamp() => Target.GetTimestamp();

        public override long TimestampFrequency => Target.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => Target.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Target.CreateTimer(callback, state, dueTime, period);
    }
}
