using System.Text.RegularExpressions;
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
        _temp.Write("evals/gate.yaml", """
            min_success_rate: 0.9
            critical_must_pass: true
            max_success_drop_points: 5
            max_p95_latency_increase_pct: 25
            max_error_rate: 0
            """);
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
        var blessed = await RecordAndBlessAsync();

        var gated = await SuiteGate.AssertPassesAsync(SuitePath, _temp.Combine("evals", "gate.yaml"), Options, Ct);

        Assert.True(gated.Gate!.Passed);
        Assert.Equal(blessed, gated.Gate.BaselineRunId);
        Assert.StartsWith(_temp.Combine("reports", "runs"), gated.ReportDirectory, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertPassesAsync_ARegressionOfACriticalScenario_FailsTheTestWithEachRuleItsFiguresTheCaseAndWhatToDo()
    {
        var blessed = await RecordAndBlessAsync();
        _temp.Write("evals/scripts/greet.yaml", Script.Replace("Hello there!", "What do you want?", StringComparison.Ordinal));
        await RecordAsync();

        var failure = await Assert.ThrowsAsync<FailException>(() => SuiteGate.AssertPassesAsync(SuitePath, _temp.Combine("evals", "gate.yaml"), Options, Ct));

        // The rules not met with their figures (baseline → now), the case that regressed with its failed assertion, what to do.
        Snapshots.Match(Scrub(failure.Message, blessed));
    }

    [Fact]
    public async Task AssertPassesAsync_EveryCasePassesButLatencyRoseAgainstTheBaseline_FailsTheTestAndSaysHowToBlessTheRun()
    {
        var blessed = await RecordAndBlessAsync();
        var wordy = "Goodbye, see you." + string.Concat(Enumerable.Repeat(" Thank you for visiting, and do come back soon.", 20));
        _temp.Write("evals/scripts/greet.yaml", Script.Replace("Goodbye, see you.", wordy, StringComparison.Ordinal));
        await RecordAsync();

        var failure = await Assert.ThrowsAsync<FailException>(() => SuiteGate.AssertPassesAsync(SuitePath, _temp.Combine("evals", "gate.yaml"), Options, Ct));

        Snapshots.Match(Scrub(failure.Message, blessed));
    }

    [Fact]
    public async Task AssertPassesAsync_SuiteNamingItsCassetteFolder_ReplaysFromIt()
    {
        // The suite says where its cassettes are; the gate is given no folder and must not look in cassettes/.
        _temp.Write("evals/greet.yaml", Suite.Replace("suite: greet", "suite: greet\ncassettes: { dir: recorded }", StringComparison.Ordinal));
        Assert.Equal(0, (await Evaluation.RunAsync(SuitePath, new EvaluationOptions { ReportsDirectory = _temp.Combine("reports"), Upstream = "scripted" }, Ct)).ExitCode);
        var blessed = await Evaluation.RunAsync(SuitePath, new EvaluationOptions { ReportsDirectory = _temp.Combine("reports") }, Ct);
        await BaselineStore.BlessAsync(blessed.Run, _temp.Combine("reports"), cancellationToken: Ct);

        var gated = await SuiteGate.AssertPassesAsync(SuitePath, _temp.Combine("evals", "gate.yaml"), new SuiteGateOptions { Reports = _temp.Combine("reports") }, Ct);

        Assert.True(Directory.Exists(_temp.Combine("evals", "recorded", "greet")));
        Assert.False(Directory.Exists(_temp.Combine("cassettes")));
        Assert.Equal((true, 2), (gated.Gate!.Passed, gated.Run.Summary.Passed));
    }

    /// <summary>Records the suite from its script, replays it and blesses that replay as the baseline; returns the blessed run's id.</summary>
    private async Task<string> RecordAndBlessAsync()
    {
        Assert.Equal(0, (await RecordAsync()).ExitCode);
        var blessed = await Evaluation.RunAsync(SuitePath, new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") }, Ct);
        await BaselineStore.BlessAsync(blessed.Run, _temp.Combine("reports"), cancellationToken: Ct);
        return blessed.Run.RunId;
    }

    /// <summary>The message with this machine's temp folder and the runs' ids (the blessed one, then the gated one's) replaced.</summary>
    private string Scrub(string message, string baseline) =>
        Regex.Replace(Snapshots.Scrub(message, (_temp.Path, "{temp}"), (baseline, "{baseline}")), @"\d{8}-\d{6}-greet-[0-9a-f]{6}", "{run}");
}
