using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;

namespace EvalHarness.Core.Application;

/// <summary>
/// Where a finished run goes: its reports, the history and the gate's verdict against a baseline. The engine knows no
/// file format; <c>EvalHarness.Reports</c> implements this seam, and a run with no publisher keeps its results in memory.
/// </summary>
public interface IRunPublisher
{
    /// <summary>
    /// Checks, before any case runs, what publishing will need (the named baseline is there), so a mistake in it does not
    /// cost a whole run.
    /// </summary>
    /// <exception cref="Suites.SuiteException">What publishing needs is missing; the message says what.</exception>
    void Check(EvaluationPlan plan);

    /// <summary>Writes the run's reports (and, for a replay, its history row) and gates it when the plan has a policy.</summary>
    Task<PublishedRun> PublishAsync(RunResult run, EvaluationPlan plan, CancellationToken cancellationToken = default);
}

/// <summary>What publishing a run gave.</summary>
/// <param name="Directory">The run's folder; null when nothing was written.</param>
/// <param name="Gate">The gate's verdict, when the plan had a policy.</param>
public sealed record PublishedRun(string? Directory, GateResult? Gate);
