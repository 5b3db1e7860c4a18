namespace EvalHarness.Core.Suites;

/// <summary>An LLM-as-judge expectation: the rubric, the lowest passing score, and the judge's model (the agent's when null).</summary>
public sealed record JudgeExpectation(string Rubric, double MinScore, ModelRef? Model);
