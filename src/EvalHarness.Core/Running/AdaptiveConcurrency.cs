namespace EvalHarness.Core.Running;

/// <summary>
/// How many cases run at once against a live provider, adapted to what it says: a 429 (or a 503 or 529 with
/// <c>Retry-After</c>) halves the limit and holds new cases back for the time it asks; each run of successes as long
/// as the limit raises it by one again, up to <see cref="Max"/>. A case holds its slot from start to end.
/// </summary>
/// <remarks>
/// Additive increase and multiplicative decrease, as TCP does with its window: the provider's rate limit is not known
/// in advance, so the limit backs off at once when it is met and recovers slowly when it is not.
/// </remarks>
internal sealed class AdaptiveConcurrency
{
    /// <summary>The longest a <c>Retry-After</c> may hold new cases back.</summary>
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(60);

    /// <summary>The pause after a throttled answer that gives no <c>Retry-After</c>.</summary>
    private static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private readonly TimeProvider _time;
    private ITimer? _resume;
    private DateTimeOffset _pausedUntil;
    private int _inUse;
    private int _successes;

    /// <summary>A limiter that starts at <paramref name="max"/> cases at once.</summary>
    public AdaptiveConcurrency(int max, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        (Max, Limit, Lowest, _time) = (max, max, max, time ?? TimeProvider.System);
    }

    /// <summary>The most cases at once.</summary>
    public int Max { get; }

    /// <summary>How many cases may run at once now.</summary>
    public int Limit { get; private set; }

    /// <summary>The lowest the limit went.</summary>
    public int Lowest { get; private set; }

    /// <summary>How many throttled answers the provider gave.</summary>
    public int Throttles { get; private set; }

    /// <summary>Waits for a slot; dispose the result when the case ends.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_waiting.Count == 0 && CanStart())
            {
                _inUse++;
                return new Slot(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(waiter);
        }

        await using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
        {
            await waiter.Task;
        }

        return new Slot(this);
    }

    /// <summary>The provider answered a request: <paramref name="status"/> 429, or 503/529 with a Retry-After, backs off.</summary>
    public void Answered(int status, TimeSpan? retryAfter)
    {
        if (status == 429 || (status is 503 or 529 && retryAfter is not null))
        {
            Throttled(retryAfter);
        }
        else if (status is >= 200 and < 300)
        {
            Succeeded();
        }
    }

    private void Throttled(TimeSpan? retryAfter)
    {
        lock (_lock)
        {
            Throttles++;
            Limit = Math.Max(1, Limit / 2);
            Lowest = Math.Min(Lowest, Limit);
            _successes = 0;
            var pause = retryAfter is { } asked ? (asked < LongestPause ? asked : LongestPause) : DefaultPause;
            var until = _time.GetUtcNow() + pause;
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
                _resume?.Dispose();
                _resume = _time.CreateTimer(_ => Resume(), null, pause, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Succeeded()
    {
        lock (_lock)
        {
            if (++_successes >= Limit && Limit < Max)
            {
                Limit++;
                _successes = 0;
                PumpLocked();
            }
        }
    }

    private bool CanStart() => _inUse < Limit && _time.GetUtcNow() >= _pausedUntil;

    /// <summary>The pause is over (or a later one began): lets waiting cases start, or waits on for the rest of it.</summary>
    private void Resume()
    {
        lock (_lock)
        {
            var left = _pausedUntil - _time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                _resume?.Dispose();
                _resume = _time.CreateTimer(_ => Resume(), null, left, Timeout.InfiniteTimeSpan);
                return;
            }

            PumpLocked();
        }
    }

    private void PumpLocked()
    {
        while (_waiting.Count > 0 && CanStart())
        {
            // A waiter whose case was cancelled is skipped; it never held a slot.
            if (_waiting.Dequeue().TrySetResult())
            {
                _inUse++;
            }
        }
    }

    private void Release()
    {
        lock (_lock)
        {
            _inUse--;
            PumpLocked();
        }
    }

    private sealed class Slot(AdaptiveConcurrency owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
