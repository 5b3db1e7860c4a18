using EvalHarness.Core.Application;
using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using EvalHarness.Xunit;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace EvalHarness.Tests.Core;

/// <summary>
/// A team's own Microsoft.Extensions.AI.Evaluation evaluator, written against that library alone, as a suite assertion:
/// from YAML through the library call and through the xunit integration, its metric's reason in the report.
/// </summary>
public sealed class EvaluatorAssertionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public EvaluatorAssertionTests()
    {
        _temp.Write("suite.yaml", """
            suite: evaluated
            agent: { model: openai:gpt-4o-mini, dotnet: {} }
            scenarios:
              - name: short-and-polite
                input: "thanks please"
                expect:
                  evaluators:
                    - { type: EvalHarness.Tests.Core.BrevityEvaluator, metric: Words, min: 2 }
                    - { type: EvalHarness.Tests.Core.BrevityEvaluator, metric: Polite }
              - name: rude
                input: "go away now you"
                expect:
                  evaluators:
                    - { type: EvalHarness.Tests.Core.BrevityEvaluator, metric: Polite }
            """);
        Directory.CreateDirectory(_temp.Combine("cassettes"));
    }

    public void Dispose() => _temp.Dispose();

    private static OwnAgent Echo => OwnAgent.FromFactory(() => new EchoAgent());

    [Fact]
    public async Task Evaluation_EvaluatorMetrics_AreVerdictsWithTheirReasonsInTheReport()
    {
        var result = await Evaluation.RunAsync(_temp.Combine("suite.yaml"), new EvaluationOptions
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine("reports"),
            Agent = Echo,
        }, TestContext.Current.CancellationToken);

        var polite = result.Run.Cases.Single(c => c.Scenario == "short-and-polite");
        Assert.Equal(
            [("evaluator:Words", true, "Words 2 (at least 2), rated Good: 2 words."), ("evaluator:Polite", true, "Polite true: says please or thanks.")],
            polite.Verdicts.Where(v => v.Kind.StartsWith("evaluator:", StringComparison.Ordinal)).Select(v => (v.Kind, v.Passed, v.Reason)));
        var rude = result.Run.Cases.Single(c => c.Scenario == "rude");
        Assert.Equal(("evaluator:Polite", false, "Polite false: neither please nor thanks."), rude.Verdicts.Where(v => v.Kind.StartsWith("evaluator:", StringComparison.Ordinal)).Select(v => (v.Kind, v.Passed, v.Reason)).Single());
        var html = await File.ReadAllTextAsync(Path.Combine(result.ReportDirectory!, "report.html"), TestContext.Current.CancellationToken);
        Assert.Contains("neither please nor thanks.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuiteReplay_EvaluatorMetrics_JudgeTheCase()
    {
        var polite = await SuiteReplay.RunAsync(_temp.Combine("suite.yaml"), _temp.Combine("cassettes"), "evaluated/default/short-and-polite/t1", Echo);
        var rude = await SuiteReplay.RunAsync(_temp.Combine("suite.yaml"), _temp.Combine("cassettes"), "evaluated/default/rude/t1", Echo);

        Assert.True(polite.Passed);
        Assert.False(rude.Passed);
    }

    [Fact]
    public void Load_AMetricTheEvaluatorDoesNotHave_FailsAtItsLine()
    {
        var suite = _temp.Write("bad.yaml", File.ReadAllText(_temp.Combine("suite.yaml")).Replace("metric: Polite", "metric: Kind", StringComparison.Ordinal));

        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Load(suite));

        Assert.Contains("EvalHarness.Tests.Core.BrevityEvaluator has no metric 'Kind'. Its metrics: Words, Polite.", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0);
    }

    private sealed class EchoAgent : IAgentUnderTest
    {
        public Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default) => Task.FromResult<AgentReport>(agentCase.Input);
    }
}

/// <summary>An evaluator as a team writes it against Microsoft.Extensions.AI.Evaluation alone: a numeric and a boolean metric.</summary>
public sealed class BrevityEvaluator : IEvaluator
{
    public IReadOnlyCollection<string> EvaluationMetricNames => ["Words", "Polite"];

    public ValueTask<Microsoft.Extensions.AI.Evaluation.EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        var words = modelResponse.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var polite = modelResponse.Text.Contains("please", StringComparison.Ordinal) || modelResponse.Text.Contains("thanks", StringComparison.Ordinal);
        var count = new NumericMetric("Words", words, $"{words} words.")
        {
            Interpretation = new EvaluationMetricInterpretation(words <= 3 ? EvaluationRating.Good : EvaluationRating.Poor, failed: words > 3),
        };
        var kind = new BooleanMetric("Polite", polite, polite ? "says please or thanks." : "neither please nor thanks.");
        return ValueTask.FromResult(new Microsoft.Extensions.AI.Evaluation.EvaluationResult(count, kind));
    }
}
