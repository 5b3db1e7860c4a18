namespace EvalHarness.Core.Application;

/// <summary>
/// Told how a run is going while its cases run, for a front end that is not the console: <c>EvalHarness.Reports</c>
/// keeps it in the run's folder, where <c>evalh view</c> shows a run in progress. A publisher that implements it is told.
/// </summary>
public interface IRunProgress
{
    /// <summary>
    /// The run's progress: once as it starts, then as cases finish (at most a few times a second, from any thread, one
    /// call at a time), and once when no case is left to run (<see cref="RunProgress.Ended"/>), whether it finished,
    /// was stopped or failed. A finished run is then published.
    /// </summary>
    void Report(EvaluationPlan plan, RunProgress progress);
}

/// <summary>Where a run is.</summary>
/// <param name="RunId">The run's id: its folder's name once published.</param>
/// <param name="Suite">The suite's name.</param>
/// <param name="Mode"><c>replay</c> or <c>record</c>.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Total">The cases it runs.</param>
/// <param name="Done">The cases finished.</param>
/// <param name="Failed">Of those, the ones that failed (errors included).</param>
/// <param name="Errors">Of those, the ones that ended in an error.</param>
/// <param name="Ended">No case is left to run.</param>
public sealed record RunProgress(string RunId, string Suite, string Mode, DateTimeOffset StartedAt, int Total, int Done, int Failed, int Errors, bool Ended)
{
    /// <summary>Why the run ended without results (what it threw), or null: it finished or was stopped, and is published next.</summary>
    public string? Error { get; init; }
}
