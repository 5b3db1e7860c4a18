using System.Text.Json;
using EvalHarness.Core.Application;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace EvalHarness.Tests.Core;

/// <summary>
/// What the custom assertions of 0.1.0 could see, an evaluator sees too: the suite's arguments, the tool calls and the
/// world's end state (through <see cref="CaseEvaluationContext"/>), and a model to judge with, whose calls are recorded
/// on the case's judge cassette and replayed from it.
/// </summary>
public sealed class EvaluatorContextTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>The evaluators are this test assembly, outside the temp folder the suites are written to.</summary>
    private static readonly SuiteLoadOptions Outside = new() { AllowOutside = true };

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The example support suite in a temp folder, with <paramref name="expect"/> added to order-status's expectations.</summary>
    private string Suite(string expect)
    {
        RepoPaths.CopyTree(RepoPaths.Suites, _temp.Path);
        var file = Path.Combine(_temp.Path, "support.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("      output: { contains: [shipped] }", $"      output: {{ contains: [shipped] }}\n{expect}", StringComparison.Ordinal));
        return file;
    }

    [Fact]
    public async Task Evaluator_SeesTheSuitesArgumentsTheToolCallsAndTheEndState()
    {
        var suite = SuiteLoader.Load(Suite("""
                  evaluators:
                    - { type: EvalHarness.Tests.Core.ShortAnswerEvaluator, metric: Short, args: { max_words: 8 } }
                    - { type: EvalHarness.Tests.Core.ShortAnswerEvaluator, metric: Short, args: { max_words: 20 } }
                    - { type: EvalHarness.Tests.Core.CaseFactsEvaluator, metric: LookedUp }
            """), Outside);

        var run = await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = RepoPaths.Cassettes, Filters = ["order-status"], Variants = ["default"] }, Ct);

        var verdicts = Assert.Single(run.Cases).Verdicts.Where(v => v.Kind.StartsWith("evaluator:", StringComparison.Ordinal)).Select(v => (v.Kind, v.Passed, v.Reason));
        Assert.Equal(
            [
                ("evaluator:Short", false, "Short 14, rated Unacceptable: 14 words, more than 8."),
                ("evaluator:Short", true, "Short 14, rated Good: 14 words, within 20."),
                ("evaluator:LookedUp", true, "LookedUp true: support/default/order-status/t1 called orders.lookup_order; orders.A101.status is \"shipped\"."),
            ],
            verdicts);
    }

    [Fact]
    public void Suite_StillNamingCustomAssertions_IsToldTheyAreEvaluatorsNow()
    {
        var file = Suite("      custom: { short_answer: { max_words: 8 } }");
        File.WriteAllText(file, "assertions: [bin/MyAssertions.dll]\n" + File.ReadAllText(file));

        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Load(file));

        Assert.Contains("support.yaml:1:1: custom assertions (ICaseAssertion) are now Microsoft.Extensions.AI.Evaluation evaluators: implement IEvaluator", error.Message, StringComparison.Ordinal);
        Assert.Contains("expect.evaluators, with what it needs under args:", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Errors.Count(e => e.Message.Contains("are now Microsoft.Extensions.AI.Evaluation evaluators", StringComparison.Ordinal)));
    }

    [Fact]
    public void Load_AnEvaluatorAssemblyThatIsNotBuilt_SaysSoAsAnEvaluators()
    {
        var file = Suite("""
                  evaluators:
                    - { type: MyTeam.ShortAnswer, assembly: build/MyTeam.Evals.dll, metric: Short }
            """);

        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Load(file));

        Assert.Contains("the evaluator assembly", error.Message, StringComparison.Ordinal);
        Assert.Contains("Build the evaluator first (dotnet build), or fix the path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluatorThrowing_ADependencyNotBesideIt_IsToldToBuildWithDynamicLoading()
    {
        var note = EvalHarness.Core.UnderTest.AgentAssembly.VersionNote(
            new FileNotFoundException("Could not load file or assembly", "CommandLine, Version=2.9.1.0, Culture=neutral"), typeof(ShortAnswerEvaluator).Assembly, "The evaluator");

        Assert.Equal(
            " The evaluator depends on CommandLine, which is not beside its assembly: build it with <EnableDynamicLoading>true</EnableDynamicLoading> in its project, so its dependencies are copied to its output.",
            note);
    }

    [Fact]
    public async Task Evaluator_JudgingWithAModel_IsRecordedOnTheJudgeCassetteAndReplayed()
    {
        var file = Suite("""
                  evaluators:
                    - { type: EvalHarness.Tests.Core.ModelJudgedEvaluator, metric: Polite }
            """);
        var script = Path.Combine(_temp.Path, "scripts", "support.yaml");
        File.WriteAllText(script, File.ReadAllText(script).Replace(
            """
              order-status:
                - tools: [{ lookup_order: { order_id: A101 } }]
                - text: "Your order A101 (tea sampler) has shipped and is on its way to you."
            """.Replace("\r", string.Empty, StringComparison.Ordinal),
            """
              order-status:
                agent:
                  - tools: [{ lookup_order: { order_id: A101 } }]
                  - text: "Your order A101 (tea sampler) has shipped and is on its way to you."
                judge:
                  - text: "yes, it is polite"
            """.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal));
        var options = new EvaluationOptions
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine("reports"),
            Filters = ["order-status"],
            Variants = ["default"],
            AllowOutside = true,
        };

        var recorded = await Evaluation.RunAsync(file, options with { Upstream = "scripted" }, Ct);
        var replayed = await Evaluation.RunAsync(file, options, Ct);

        foreach (var result in new[] { recorded, replayed })
        {
            var verdict = Assert.Single(Assert.Single(result.Run.Cases).Verdicts, v => v.Kind == "evaluator:Polite");
            Assert.Equal((true, "Polite true: the judge said \"yes, it is polite\"."), (verdict.Passed, verdict.Reason));
        }

        using var cassette = JsonDocument.Parse(await File.ReadAllTextAsync(_temp.Combine("cassettes/support/default/order-status/t1/judge.json"), Ct));
        Assert.Contains("Is this answer polite?", cassette.RootElement.GetRawText(), StringComparison.Ordinal);
    }
}

/// <summary>An evaluator that reads what the suite gives it: the answer may have at most <c>max_words</c> words.</summary>
public sealed class ShortAnswerEvaluator : IEvaluator
{
    public IReadOnlyCollection<string> EvaluationMetricNames => ["Short"];

    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        var context = additionalContext!.OfType<CaseEvaluationContext>().Single();
        var max = context.Arguments.GetProperty("max_words").GetInt32();
        var words = modelResponse.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var metric = new NumericMetric("Short", words, words <= max ? $"{words} words, within {max}." : $"{words} words, more than {max}.")
        {
            Interpretation = new EvaluationMetricInterpretation(words <= max ? EvaluationRating.Good : EvaluationRating.Unacceptable, failed: words > max),
        };
        return ValueTask.FromResult(new EvaluationResult(metric));
    }
}

/// <summary>An evaluator over the run's facts: the tool it called and the state it left.</summary>
public sealed class CaseFactsEvaluator : IEvaluator
{
    public IReadOnlyCollection<string> EvaluationMetricNames => ["LookedUp"];

    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        var context = additionalContext!.OfType<CaseEvaluationContext>().Single();
        var tool = context.ToolCalls.Single().Tool;
        var status = context.ReadState("orders.A101.status")?.GetString();
        return ValueTask.FromResult(new EvaluationResult(new BooleanMetric(
            "LookedUp", tool == "orders.lookup_order" && status == "shipped", $"{context.CaseId} called {tool}; orders.A101.status is \"{status}\".")));
    }
}

/// <summary>An evaluator that asks a model, through the chat configuration the harness gives it.</summary>
public sealed class ModelJudgedEvaluator : IEvaluator
{
    public IReadOnlyCollection<string> EvaluationMetricNames => ["Polite"];

    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        var answer = await chatConfiguration!.ChatClient.GetResponseAsync($"Is this answer polite? {modelResponse.Text}", cancellationToken: cancellationToken);
        return new EvaluationResult(new BooleanMetric("Polite", answer.Text.StartsWith("yes", StringComparison.Ordinal), $"the judge said \"{answer.Text}\"."));
    }
}
