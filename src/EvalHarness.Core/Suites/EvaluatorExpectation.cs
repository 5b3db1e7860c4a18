using Microsoft.Extensions.AI.Evaluation;

namespace EvalHarness.Core.Suites;

/// <summary>
/// An <see cref="IEvaluator"/> of Microsoft.Extensions.AI.Evaluation judging a case on one of its metrics
/// (<c>expect.evaluators</c>): passed when the metric's interpretation does not fail it and, for a number, it reaches
/// <see cref="Min"/>; a boolean metric passes when true.
/// </summary>
/// <param name="Evaluator">The evaluator, made once per suite.</param>
/// <param name="Type">Its type's full name, as the suite names it.</param>
/// <param name="Metric">The metric judged.</param>
/// <param name="Min">The lowest passing value of a numeric metric; null to go by its interpretation alone.</param>
public sealed record EvaluatorExpectation(IEvaluator Evaluator, string Type, string Metric, double? Min)
{
    /// <summary>What the suite gives the evaluator (<c>args:</c>), through <see cref="CaseEvaluationContext.Arguments"/>; undefined when nothing.</summary>
    public System.Text.Json.JsonElement Arguments { get; init; }
}
