using EvalHarness.Core.Application;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using Xunit;

namespace EvalHarness.Xunit;

/// <summary>
/// The release gate as a test: replays a suite, writes its reports and history, and judges it with a policy against the
/// suite's blessed baseline, as <c>evalh run --policy</c> does; a regression fails the test with the gate's reasons.
/// </summary>
/// <example>
/// <code>
/// [Fact]
/// public Task Support_PassesTheGate() =&gt; SuiteGate.AssertPassesAsync("evals/support.yaml", "evals/gate.yaml");
/// </code>
/// </example>
public static class SuiteGate
{
    /// <summary>Replays and gates a suite, and fails the test with every rule not met (or every case that could not be judged).</summary>
    /// <param name="suite">The suite file: absolute, or relative to the current folder or any folder above the test assembly.</param>
    /// <param name="policy">The gate policy file, found the same way.</param>
    /// <param name="options">Where the cassettes and reports are, the baseline, the agent; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The evaluation, when the gate passed.</returns>
    public static async Task<SuiteEvaluationResult> AssertPassesAsync(string suite, string policy, SuiteGateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SuiteGateOptions();
        var (suiteFile, root) = SuiteCasesAttribute.Find(suite, file: true);
        var result = await Evaluation.RunAsync(suiteFile, new EvaluationOptions
        {
            // The cassettes as [SuiteCases] finds them: the suite's cassettes.dir, else cassettes/ where the suite was found
            // (the planner reads cassettes.dir as it loads the suite, so the suite is loaded once).
            CassetteDirectory = options.Cassettes is { } given ? SuiteCasesAttribute.Locate(given, file: false) : null,
            DefaultCassetteDirectory = Path.Combine(root, "cassettes"),
            ReportsDirectory = FindReports(options.Reports, root),
            PolicyFile = SuiteCasesAttribute.Locate(policy, file: true),
            Baseline = options.Baseline,
            Agent = options.Agent,
            Mode = Cassettes.Server.RecordMode.None,
        }, cancellationToken);
        if (result.ExitCode != ExitCodes.Ok)
        {
            Assert.Fail(GateFailure.Message(suite, result));
        }

        return result;
    }

    /// <summary>The reports folder: the one that exists where the suite could have been found, else a new one where it was.</summary>
    private static string FindReports(string reports, string root)
    {
        try
        {
            return SuiteCasesAttribute.Locate(reports, file: false);
        }
        catch (FileNotFoundException)
        {
            return Path.IsPathRooted(reports) ? reports : Path.Combine(root, reports);
        }
    }
}
