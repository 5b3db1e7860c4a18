using EvalHarness.Core.Application;
using EvalHarness.Core.Suites;

namespace EvalHarness.Reports;

/// <summary>
/// Runs a suite from code and writes the same reports, history and gate verdict as <c>evalh run</c>: the one path of
/// <see cref="SuiteEvaluation"/>, published by <see cref="ReportPublisher"/>.
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
    public static Task<SuiteEvaluationResult> RunAsync(string suitePath, EvaluationOptions? options = null, CancellationToken cancellationToken = default) =>
        SuiteEvaluation.RunAsync(suitePath, options, new ReportPublisher(), cancellationToken);
}
