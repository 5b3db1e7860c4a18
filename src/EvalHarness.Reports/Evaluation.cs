using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;

namespace EvalHarness.Reports;

/// <summary>
/// Runs a suite from code and writes the same reports, history and gate verdict as <c>evalh run</c>: what a test
/// project calls to do everything the CLI does.
/// </summary>
/// <example>
/// <code>
/// var result = await Evaluation.RunAsync("evals/support.yaml", new EvaluationOptions { Agent = OwnAgent.FromFactory(() => new MyAgent()) });
/// Assert.Equal(0, result.ExitCode);
/// </code>
/// </example>
public static class Evaluation
{
    /// <summary>Loads, runs, reports and (with a policy) gates one suite.</summary>
    /// <exception cref="SuiteException">The suite, its script or the policy is malformed, or the cassette folder is missing; the message names the file and line.</exception>
    public static async Task<EvaluationResult> RunAsync(string suitePath, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EvaluationOptions();
        var policy = options.PolicyFile is null ? null : GatePolicyLoader.Load(options.PolicyFile);
        var suite = SuiteLoader.Load(suitePath, new SuiteLoadOptions { AllowOutside = options.AllowOutside });
        var mode = options.Mode ?? (options.Upstream is null ? suite.Cassettes.RecordMode : RecordMode.All);
        var cassettes = suite.Cassettes.FolderFor(options.CassetteDirectory);
        if (mode == RecordMode.None && !Directory.Exists(cassettes))
        {
            throw new SuiteException(cassettes, 0, 0, $"the cassette folder does not exist (looked in {Path.GetFullPath(cassettes)}). Record first, or pass the folder that holds the suite's cassettes.");
        }

        var runOptions = new RunOptions
        {
            CassetteDirectory = cassettes,
            Mode = mode,
            Match = suite.Cassettes.Match,
            IgnoredRequestPaths = suite.Cassettes.Ignore,
            Scrubbers = suite.Cassettes.Scrub,
            Agent = options.Agent,
            Filters = options.Filters,
            Variants = options.Variants,
            OtlpEndpoint = options.OtlpEndpoint,
        };
        runOptions = options.Concurrency is { } concurrency ? runOptions with { Concurrency = concurrency } : runOptions;

        ScriptedUpstream? scripted = null;
        RunResult run;
        try
        {
            if (mode != RecordMode.None)
            {
                if (options.Upstream == "scripted")
                {
                    var book = ScriptBook.LoadFor(suite);
                    scripted = await ScriptedUpstream.StartAsync((id, prompt) => book.Find(id, prompt), cancellationToken);
                    runOptions = runOptions with { Upstream = scripted.UpstreamTemplate, RecordedFrom = "scripted" };
                }
                else
                {
                    runOptions = runOptions with
                    {
                        Upstream = options.Upstream ?? throw new SuiteException(suitePath, 0, 0, "recording needs an upstream: set EvaluationOptions.Upstream to \"scripted\" or a base URL."),
                    };
                }
            }

            run = await EvalRunner.RunAsync(suite, runOptions, cancellationToken);
        }
        finally
        {
            if (scripted is not null)
            {
                await scripted.DisposeAsync();
            }
        }

        await RunReports.AppendHistoryAsync(run, options.ReportsDirectory, cancellationToken);
        var context = await RunReports.BuildAsync(run, options.ReportsDirectory, options.Baseline, policy, gate: null, cancellationToken);
        var directory = await RunWriter.WriteAsync(context, options.ReportsDirectory, cancellationToken);
        var exit = ExitCodes.For(run);
        exit = context.Gate is { } gate && exit != ExitCodes.InputError ? (gate.Passed ? ExitCodes.Ok : ExitCodes.Failed) : exit;
        return new EvaluationResult(run, directory, context.Gate, exit);
    }
}
