using EvalHarness.Core.Results;

namespace EvalHarness.Core.Application;

/// <summary>
/// Counts a run's finished cases and tells an <see cref="IRunProgress"/>: at the start, at most every
/// <see cref="Interval"/> as cases finish (a 10,000-case replay does not write its progress 10,000 times), and at the end.
/// </summary>
internal sealed class ProgressTracker
{
    /// <summary>The least time between two reports while cases finish.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly IRunProgress _listener;
    private readonly EvaluationPlan _plan;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private DateTimeOffset _last;

    public ProgressTracker(IRunProgress listener, EvaluationPlan plan, RunProgress start, TimeProvider time)
    {
        (_listener, _plan, _time, Progress) = (listener, plan, time, start);
        _last = time.GetUtcNow();
        listener.Report(plan, start);
    }

    /// <summary>Where the run is now.</summary>
    public RunProgress Progress { get; private set; }

    /// <summary>Counts a finished case; reports when the last report is old enough.</summary>
    public void Completed(CaseResult c)
    {
        lock (_gate)
        {
            Progress = Progress with
            {
                Done = Progress.Done + 1,
                Failed = Progress.Failed + (c.Passed ? 0 : 1),
                Errors = Progress.Errors + (c.Error is null ? 0 : 1),
            };
            var now = _time.GetUtcNow();
            if (now - _last >= Interval)
            {
                _last = now;
                _listener.Report(_plan, Progress);
            }
        }
    }

    /// <summary>Reports the end: no case is left to run; <paramref name="error"/> says why there are no results, if so.</summary>
    public void End(string? error)
    {
        lock (_gate)
        {
            Progress = Progress with { Ended = true, Error = error };
            _listener.Report(_plan, Progress);
        }
    }
}
