using EvalHarness.Core.Application;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

/// <summary><see cref="ReportPublisher"/>: a run's reports, history and gate, as every front end publishes them.</summary>
public sealed class ReportPublisherTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PublishAsync_APolicyTheRunCannotBeGatedBy_SaysWhyInTheUsersWordsAndWhereTheResultsWereSaved()
    {
        _temp.Write("evals/greet.yaml", """
            suite: support
            agent: { model: openai:gpt-4o-mini, system_prompt: "Help.", tools: [] }
            scenarios:
              - { name: a, input: "hi", expect: { output: { contains: [refund] } } }
            """);
        var policy = _temp.Write("evals/gate.yaml", "variants: [default]\n");
        Directory.CreateDirectory(_temp.Combine("cassettes"));
        var plan = EvaluationPlan.For(_temp.Combine("evals", "greet.yaml"), new EvaluationOptions
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine("reports"),
            PolicyFile = policy,
        });

        // The run's cases are of a variant the policy does not gate (as a run stopped before any of its cases could be).
        var run = RunWriterTests.Run(RunWriterTests.Case("a", true, variant: "other"));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new ReportPublisher().PublishAsync(run, plan, TestContext.Current.CancellationToken));

        // The gate's ArgumentException, without .NET's "(Parameter 'policy')", which names nothing the user wrote.
        var saved = _temp.Combine("reports", "runs", run.RunId);
        Assert.Equal(
            $"{policy}: the policy gates the variant(s) default, but the run {run.RunId} has other.\n"
            + $"The run's results are in {saved}; once that is fixed, rebuild its reports with `evalh report {saved}`.",
            error.Message);
        Assert.True(File.Exists(Path.Combine(saved, "results.json")));
    }
}
