namespace EvalHarness.Core.Gate;

/// <summary>One rule of a gate verdict: what was measured, against what, and the verdict, with the detail a person needs.</summary>
/// <param name="Rule">The policy key, e.g. <c>min_success_rate</c> or <c>min_success_rate[critical]</c>.</param>
/// <param name="Status">Pass, fail or skipped.</param>
/// <param name="Measured">The measured value, formatted (<c>91.7%</c>, <c>+12.5%</c>).</param>
/// <param name="Threshold">The threshold, formatted with its comparison (<c>≥ 90%</c>).</param>
/// <param name="Detail">Why: the counts behind the value, the failing cases, the p-value.</param>
public sealed record GateRule(string Rule, GateStatus Status, string Measured, string Threshold, string Detail);
