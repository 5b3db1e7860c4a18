using EvalHarness.Core.Application;
using EvalHarness.Reports;
using EvalHarness.Reports.Baselines;
using EvalHarness.Tests.Support;
using EvalHarness.Xunit;
using Xunit.Sdk;

namespace EvalHarness.Tests.Xunit;

/// <summary>The release gate as a test (<see cref="SuiteGate"/>): a suite, a policy and a blessed baseline, as a team's test project has them.</summary>
public sealed class SuiteGateTests : IDisposable
{
    private const string Suite = """
        suite: greet
        agent: { model: openai:gpt-4o-mini, system_prompt: "Greet the user.", tools: [] }
        scenarios:
          - name: hello
            critical: true
            input: "hello"
            expect: { output: { contains: [Hello] } }
          - name: bye
            input: "bye"
            expect: { output: { contains: [Goodbye] } }
        """;

    private const string Script = """
        default:
          hello:
            - text: "Hello there!"
          bye:
            - text: "Goodbye, see you."
        """;

    private readonly TempDirectory _temp = new();

    public SuiteGateTests()
    {
        _temp.Write("evals/greet.yaml", Suite);
        _temp.Write("evals/scripts/greet.yaml", Script);
        _temp.Write("evals/gate.yaml", "critical_must_pass: true\nmax_error_rate: 0\n");
    }

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SuitePath => _temp.Combine("evals", "greet.yaml");

    private SuiteGateOptions Options => new() { Cassettes = _temp.Combine("cassettes"), Reports = _temp.Combine("reports") };

    private Task<SuiteEvaluationResult> RecordAsync() => Evaluation.RunAsync(SuitePath, new EvaluationOptions
    {
        CassetteDirectory = _temp.Combine("cassettes"),
        ReportsDirectory = _temp.Combine("reports"),
        Upstream = "scripted",
    }, Ct);

    [Fact]
    public async Task AssertPassesAsync_BlessedBaselineAndAPassingReplay_PassesAgainstTheBaseline()
    {
        var recorded = await RecordAsync();
        var blessed = await Evaluation.RunAsync(SuitePath, new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") }, Ct);
        await BaselineStore.BlessAsync(blessed.Run, _temp.Combine("reports"), cancellationToken: Ct);

        var gated = await SuiteGate.AssertPassesAsync(SuitePath, _temp.Combine("evals", "gate.yaml"), Options, Ct);

        Assert.Equal(0, recorded.ExitCode);
        Assert.True(gated.Gate!.Passed);
        Assert.Equal(blessed.Run.RunId, gated.Gate.BaselineRunId);
        Assert.StartsWith(_temp.Combine("reports", "runs"), gated.ReportDirectory, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertPassesAsync_ARegressionOfACriticalScenario_FailsTheTestWithTheGatesReasons()
    {
        await RecordAsync();
        var blessed = await Evaluation.RunAsync(SuitePath, new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") }, Ct);
        await BaselineStore.BlessAsync(blessed.Run, _temp.Combine("reports"), cancellationToken: Ct);
        _temp.Write("evals/scripts/greet.yaml", Script.Replace("Hello there!", "What do you want?", StringComparison.Ordinal));
        await RecordAsync();

        var failure = await Assert.ThrowsAsync<FailException>(() => SuiteGate.AssertPassesAsync(SuitePath, _temp.Combine("evals", "gate.yaml"), Options, Ct));

        Assert.StartsWith($"{SuitePath}: Gate failed: 1 of ", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"(against baseline {blessed.Run.RunId})", failure.Message, StringComparison.Ordinal);
        Assert.Contains("\n  - critical_must_pass: ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("hello", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Report: " + _temp.Combine("reports", "runs"), failure.Message, StringComparison.Ordinal);
    }
}
