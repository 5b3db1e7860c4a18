using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace EvalHarness.Core.Assertions;

/// <summary>
/// Runs a suite's Microsoft.Extensions.AI.Evaluation evaluators on a case: the conversation as the messages, the final
/// answer as the response, and each named metric as a verdict whose reason is the metric's own.
/// </summary>
internal static class Evaluators
{
    /// <summary>An evaluator by its type's full name: from <paramref name="assembly"/>, else from the assemblies already loaded (a test project's own).</summary>
    /// <exception cref="ArgumentException">No such type, or not a public <see cref="IEvaluator"/> with a parameterless constructor.</exception>
    public static IEvaluator Create(string? assembly, string typeName)
    {
        var type = assembly is null
            ? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null)
                ?? throw new ArgumentException($"no loaded assembly has the evaluator type '{typeName}'. Name its built assembly with assembly: (relative to the suite).")
            : AgentAssembly.Load(assembly, "evaluator").GetType(typeName, throwOnError: false)
                ?? throw new ArgumentException($"'{assembly}' has no type '{typeName}'.");
        return typeof(IEvaluator).IsAssignableFrom(type) && type is { IsVisible: true, IsAbstract: false } && type.GetConstructor(Type.EmptyTypes) is not null
            ? (IEvaluator)Activator.CreateInstance(type)!
            : throw new ArgumentException($"'{typeName}' must be a public, non-abstract class that implements {typeof(IEvaluator).FullName} and has a public parameterless constructor.");
    }

    /// <summary>
    /// Evaluates the case with each expectation's evaluator (once per evaluator and arguments) and judges its metric.
    /// An evaluator gets the conversation, the answer, <paramref name="chat"/> for calling a model as a judge (the judge's
    /// client, on the case's judge cassette) and a <see cref="CaseEvaluationContext"/>.
    /// </summary>
    public static async Task<IReadOnlyList<Results.AssertionVerdict>> ScoreAsync(
        IReadOnlyList<EvaluatorExpectation> expectations, string caseId, string scenario, AgentReport report, Func<string, System.Text.Json.JsonElement?> state,
        ChatConfiguration? chat, CancellationToken cancellationToken)
    {
        if (expectations.Count == 0)
        {
            return [];
        }

        IEnumerable<ChatMessage> messages = [.. (report.Transcript ?? []).SkipLast(1).Select(m => new ChatMessage(new ChatRole(m.Role), m.Text))];
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, report.Output));
        var results = new Dictionary<(IEvaluator, string), EvaluationResult>();
        var verdicts = new List<Results.AssertionVerdict>();
        foreach (var expectation in expectations)
        {
            // The same evaluator given different arguments is asked again: its answer may depend on them.
            var key = (expectation.Evaluator, expectation.Arguments.ValueKind == System.Text.Json.JsonValueKind.Undefined ? string.Empty : expectation.Arguments.GetRawText());
            if (!results.TryGetValue(key, out var result))
            {
                try
                {
                    var context = new CaseEvaluationContext(caseId, scenario, report, expectation.Arguments, state);
                    result = await expectation.Evaluator.EvaluateAsync(messages, response, chat, [context], cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A team's evaluator that throws fails its assertion, never the run.
                    verdicts.Add(new($"evaluator:{expectation.Metric}", false,
                        $"{expectation.Type} threw {ex.GetType().Name}: {ex.Message}{AgentAssembly.VersionNote(ex, expectation.Evaluator.GetType().Assembly, "The evaluator")}"));
                    continue;
                }

                results[key] = result;
            }

            verdicts.Add(Judge(expectation, result));
        }

        return verdicts;
    }

    private static Results.AssertionVerdict Judge(EvaluatorExpectation expectation, EvaluationResult result)
    {
        var kind = $"evaluator:{expectation.Metric}";
        if (!result.Metrics.TryGetValue(expectation.Metric, out var metric))
        {
            return new(kind, false, $"{expectation.Type} gave no metric '{expectation.Metric}'.");
        }

        var (passed, value) = metric switch
        {
            NumericMetric { Value: { } number } => (expectation.Min is not { } min || number >= min, number.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + (expectation.Min is { } m ? $" (at least {m.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)})" : string.Empty)),
            NumericMetric => (false, "no value"),
            BooleanMetric { Value: { } flag } => (flag, flag ? "true" : "false"),
            BooleanMetric => (false, "no value"),
            _ => (true, "given"),
        };
        var interpretation = metric.Interpretation;
        passed &= interpretation is not { Failed: true };
        var reason = string.Join(" ", new[] { metric.Reason, interpretation?.Reason }.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct());
        return new(kind, passed, $"{metric.Name} {value}{(interpretation is { } i ? $", rated {i.Rating}" : string.Empty)}{(reason.Length > 0 ? $": {reason}" : ".")}");
    }
}
