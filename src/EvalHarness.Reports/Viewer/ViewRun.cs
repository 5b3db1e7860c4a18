using EvalHarness.Core.Application;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Viewer;

/// <summary>
/// A run as <c>evalh view</c> lists it: the headline of its results, or, while it runs, its progress file.
/// </summary>
/// <param name="Id">The run's id, its folder's name.</param>
/// <param name="Suite">The suite's name.</param>
/// <param name="SuiteKey">The suite's key (its history file and trends page).</param>
/// <param name="Mode"><c>replay</c> or <c>record (…)</c>.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Git">The commit and branch, when known.</param>
/// <param name="Summary">The headline numbers; null while it runs.</param>
/// <param name="Variants">Its variants.</param>
/// <param name="Scenarios">Its scenarios (<c>variant/scenario</c>), the failed ones in <paramref name="Failed"/>.</param>
/// <param name="Failed">The scenarios with a case that did not pass.</param>
/// <param name="Gate">The gate's verdict, when it was gated.</param>
/// <param name="Note">Why it is a part (a shard, a selection) or was stopped; null for a whole run.</param>
/// <param name="Progress">Where it is, while it runs (or where it was when its process stopped).</param>
/// <param name="ProgressAt">When <paramref name="Progress"/> was written.</param>
internal sealed record ViewRun(
    string Id, string Suite, string SuiteKey, string Mode, DateTimeOffset StartedAt, GitInfo? Git, RunSummary? Summary,
    IReadOnlyList<string> Variants, IReadOnlyList<string> Scenarios, IReadOnlyList<string> Failed, GateResult? Gate, string? Note,
    RunProgress? Progress, DateTimeOffset? ProgressAt)
{
    /// <summary>
    /// A finished run of the whole suite with at least one case: not stopped, not a shard, not narrowed. A run's page
    /// compares it with the whole run before it, as the history keeps whole runs.
    /// </summary>
    public bool Whole { get; init; }

    /// <summary>Whether the process that writes its progress file is known to have ended (it ran on this machine and is gone).</summary>
    public bool ProcessGone { get; init; }

    /// <summary>No progress file for this long, and no results: the process that ran it stopped.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromMinutes(2);

    /// <summary>Its results are not written yet.</summary>
    public bool InProgress => Summary is null;

    /// <summary>
    /// <c>pass</c>, <c>fail</c>, <c>error</c> (a case could not be judged, or it was stopped: exit 2), <c>running</c>, or
    /// <c>stopped</c> (it failed, or its process stopped writing its progress file, with no results).
    /// </summary>
    public string Verdict(DateTimeOffset now) => Summary switch
    {
        null when Progress is { Error: not null } || ProcessGone || now - ProgressAt > Silence => "stopped",
        null => "running",
        { Errors: > 0 } => "error",
        _ when Note?.StartsWith("Stopped", StringComparison.Ordinal) == true => "error",
        { Failed: > 0 } => "fail",
        _ => "pass",
    };

    /// <summary>The headline of a finished run.</summary>
    public static ViewRun Of(RunResult run, string reportsDirectory, GateResult? gate)
    {
        var scenarios = run.Cases.Select(c => $"{c.Variant}/{c.Scenario}").Distinct(StringComparer.Ordinal).ToList();
        var failed = run.Cases.Where(c => !c.Passed).Select(c => $"{c.Variant}/{c.Scenario}").Distinct(StringComparer.Ordinal).ToList();
        var note = run.Interrupted ?? (run.Shard is { } shard ? $"shard {shard}" : run.Selection);
        return new ViewRun(
            run.RunId, run.Suite, SuiteKeys.Of(run, reportsDirectory), run.Mode, run.StartedAt, run.Git, run.Summary,
            [.. run.Cases.Select(c => c.Variant).Distinct(StringComparer.Ordinal)], scenarios, failed, gate, note, null, null)
        {
            Whole = run.Interrupted is null && run.Shard is null && run.Selection is null && run.Cases.Count > 0,
        };
    }

    /// <summary>A run in progress, from its progress file.</summary>
    public static ViewRun Of(RunProgress progress, DateTimeOffset writtenAt, string suiteKey, bool processGone) =>
        new(progress.RunId, progress.Suite, suiteKey, progress.Mode, progress.StartedAt, null, null, [], [], [], null, null, progress, writtenAt)
        {
            ProcessGone = processGone,
        };
}
