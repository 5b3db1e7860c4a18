using EvalHarness.Core.Application;

namespace EvalHarness.Tests.Core;

/// <summary>How a run's progress is told while its cases finish: at the start, at most every half second, and at the end.</summary>
public sealed class ProgressTrackerTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Listener : IRunProgress
    {
        public List<RunProgress> Told { get; } = [];

        public void Report(EvaluationPlan plan, RunProgress progress) => Told.Add(progress);
    }

    [Fact]
    public void Cases_FinishingFast_AreToldAtMostEveryHalfSecond_AndTheEndAlways()
    {
        var (clock, listener) = (new Clock(), new Listener());
        var tracker = new ProgressTracker(listener, plan: null!, new RunProgress("r1", "support", "replay", clock.Now, Total: 4, 0, 0, 0, Ended: false), clock);

        clock.Now += TimeSpan.FromMilliseconds(100);
        tracker.Completed(RunWriterCase(passed: true));
        clock.Now += TimeSpan.FromMilliseconds(100);
        tracker.Completed(RunWriterCase(passed: false));
        clock.Now += TimeSpan.FromMilliseconds(400);
        tracker.Completed(RunWriterCase(passed: false, error: "no cassette"));
        tracker.Completed(RunWriterCase(passed: true));
        tracker.End(error: null);

        Assert.Equal([0, 3, 4], listener.Told.Select(p => p.Done));
        Assert.Equal(new RunProgress("r1", "support", "replay", listener.Told[0].StartedAt, 4, 4, 2, 1, Ended: true), listener.Told[^1]);
    }

    [Fact]
    public void End_WithAnError_TellsIt()
    {
        var (clock, listener) = (new Clock(), new Listener());
        var tracker = new ProgressTracker(listener, plan: null!, new RunProgress("r1", "support", "replay", clock.Now, Total: 4, 0, 0, 0, Ended: false), clock);

        tracker.End("the service did not start");

        Assert.Equal("the service did not start", listener.Told[^1].Error);
        Assert.True(listener.Told[^1].Ended);
    }

    private static EvalHarness.Core.Results.CaseResult RunWriterCase(bool passed, string? error = null) =>
        Reports.RunWriterTests.Case("refund", passed) with { Error = error };
}
