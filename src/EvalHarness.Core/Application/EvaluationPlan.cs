using EvalHarness.Core.Gate;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Application;

/// <summary>A suite loaded and checked against the choices made for it: what will run, how, and what it is gated by.</summary>
/// <param name="SuitePath">The suite file as it was given.</param>
/// <param name="Suite">The loaded suite.</param>
/// <param name="Options">The choices the front end made.</param>
/// <param name="Run">How the runner runs it (before an upstream is connected).</param>
/// <param name="Policy">The gate policy, when one was given.</param>
/// <param name="Cases">How many cases the choices select.</param>
public sealed record EvaluationPlan(string SuitePath, Suite Suite, EvaluationOptions Options, RunOptions Run, GatePolicy? Policy, int Cases)
{
    /// <summary>
    /// Loads and checks the suite and every choice, without connecting an upstream or running anything (the first step of
    /// <see cref="SuiteEvaluation"/>; <c>evalh load</c> plans so too).
    /// </summary>
    /// <exception cref="SuiteException">The suite, a choice, the policy or the cassette folder is wrong; the message names the file and line.</exception>
    public static EvaluationPlan For(string suitePath, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(suitePath);
        ArgumentNullException.ThrowIfNull(options);
        return Planner.Plan(suitePath, options);
    }

    /// <summary>Whether the run records (any mode but replay-only).</summary>
    public bool Records => Run.Mode != Cassettes.Server.RecordMode.None;
}
