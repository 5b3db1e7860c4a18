using EvalHarness.Agents.Providers;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Application;

/// <summary>
/// The one path from a suite to a verdict: plan (load the suite and policy, check every choice), connect the upstream
/// a recording needs, run the cases, publish the reports and gate them, and pick the exit code. <c>evalh run</c>,
/// <c>evalh record</c>, the xunit integration and the library call all take it; a front end only adds how it shows
/// progress between the steps.
/// </summary>
public sealed class SuiteEvaluation : IAsyncDisposable
{
    private readonly IRunPublisher? _publisher;
    private readonly IAsyncDisposable? _upstream;
    private readonly CaseSpool? _spool;

    private SuiteEvaluation(EvaluationPlan plan, RunOptions run, IRunPublisher? publisher, IAsyncDisposable? upstream, CaseSpool? spool)
    {
        Plan = plan;
        RunOptions = run;
        _publisher = publisher;
        _upstream = upstream;
        _spool = spool;
    }

    /// <summary>What runs and how.</summary>
    public EvaluationPlan Plan { get; }

    /// <summary>How the runner runs the cases, the upstream connected.</summary>
    internal RunOptions RunOptions { get; }

    /// <summary>Plans, runs and publishes a suite in one call: what a library caller or a test wants.</summary>
    /// <param name="suitePath">The suite file.</param>
    /// <param name="options">The choices; null for the defaults (replay from the suite's cassettes).</param>
    /// <param name="publisher">Where the run's reports go; null to keep the results in memory only.</param>
    /// <param name="cancellationToken">Stops the run; the cases that finished are kept.</param>
    /// <exception cref="SuiteException">The suite, a choice, the script, the policy or the cassette folder is wrong; the message names the file and line.</exception>
    public static async Task<SuiteEvaluationResult> RunAsync(string suitePath, EvaluationOptions? options, IRunPublisher? publisher, CancellationToken cancellationToken = default)
    {
        await using var evaluation = await OpenAsync(suitePath, options, publisher, cancellationToken);
        var run = await evaluation.RunAsync(onCaseCompleted: null, cancellationToken);
        return await evaluation.PublishAsync(run, CancellationToken.None);
    }

    /// <summary>Loads and checks the suite and every choice, and connects the upstream a recording needs; no case runs yet.</summary>
    /// <exception cref="SuiteException">The suite, a choice, the script, the policy or the cassette folder is wrong; the message names the file and line.</exception>
    public static async Task<SuiteEvaluation> OpenAsync(string suitePath, EvaluationOptions? options, IRunPublisher? publisher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suitePath);
        _ = OpenAIWarmUp.StartAsync(); // on the other core while this one loads the suite
        var plan = EvaluationPlan.For(suitePath, options ?? new EvaluationOptions());
        publisher?.Check(plan);
        var (run, upstream) = await Upstreams.ConnectAsync(plan, cancellationToken);
        var spool = plan.Cases > CaseSpool.InMemoryUpTo && publisher is not null ? new CaseSpool() : null;
        return new SuiteEvaluation(plan, run with { Spool = spool }, publisher, upstream, spool);
    }

    /// <summary>Runs the planned cases.</summary>
    /// <param name="onCaseCompleted">Told of each case as it finishes (from several threads).</param>
    /// <param name="cancellationToken">Stops the run; the cases that finished are kept and the run says it was stopped.</param>
    public async Task<RunResult> RunAsync(Action<CaseResult>? onCaseCompleted, CancellationToken cancellationToken = default)
    {
        if (_publisher is not IRunProgress listener)
        {
            return await EvalRunner.RunAsync(Plan.Suite, RunOptions with { OnCaseCompleted = onCaseCompleted }, cancellationToken);
        }

        // The run's id is fixed before it starts, so its progress is kept where its results will be.
        var startedAt = RunOptions.Time.GetUtcNow();
        var tracker = new ProgressTracker(listener, Plan, new RunProgress(
            EvalRunner.NewRunId(startedAt, Plan.Suite.Name), Plan.Suite.Name, Plan.Records ? "record" : "replay", startedAt, Plan.Cases, 0, 0, 0, Ended: false), RunOptions.Time);
        RunResult run;
        try
        {
            run = await EvalRunner.RunAsync(
                Plan.Suite,
                RunOptions with
                {
                    RunId = tracker.Progress.RunId,
                    StartedAt = startedAt,
                    OnCaseCompleted = c =>
                    {
                        tracker.Completed(c);
                        onCaseCompleted?.Invoke(c);
                    },
                },
                cancellationToken);
        }
        catch (Exception ex)
        {
            tracker.End(ex.Message);
            throw;
        }

        tracker.End(error: null);
        return run;
    }

    /// <summary>Publishes a finished run (reports, history, the gate) and picks the exit code.</summary>
    public async Task<SuiteEvaluationResult> PublishAsync(RunResult run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var published = _publisher is null ? new PublishedRun(null, null) : await _publisher.PublishAsync(run, Plan, cancellationToken);
        return new SuiteEvaluationResult(run, published.Directory, published.Gate, Verdict(run, published.Gate));
    }

    /// <summary>The exit code of a run: a case that could not be judged (an error, a stopped run) outranks the gate, the gate outranks the cases.</summary>
    public static int Verdict(RunResult run, GateResult? gate)
    {
        var exit = ExitCodes.For(run);
        return gate is not null && exit != ExitCodes.InputError ? (gate.Passed ? ExitCodes.Ok : ExitCodes.Failed) : exit;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        _spool?.Dispose();
    }
}
