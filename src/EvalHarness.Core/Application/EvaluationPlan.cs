using EvalHarness.Core.Gate;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Application;

/// <summary>A suite loaded and checked against the choices made for it: what will run, how, and what it is gated by.</summary>
public sealed class EvaluationPlan
{
    internal EvaluationPlan(string suitePath, Suite suite, EvaluationOptions options, RunOptions run, GatePolicy? policy, int cases) =>
        (SuitePath, Suite, Options, Run, Policy, Cases) = (suitePath, suite, options, run, policy, cases);

    /// <summary>The suite file as it was given.</summary>
    public string SuitePath { get; }

    /// <summary>The loaded suite.</summary>
    public Suite Suite { get; }

    /// <summary>The choices the front end made.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>How the runner runs it (before an upstream is connected).</summary>
    internal RunOptions Run { get; }

    /// <summary>The gate policy, when one was given.</summary>
    public GatePolicy? Policy { get; }

    /// <summary>How many cases the choices select.</summary>
    public int Cases { get; }

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
