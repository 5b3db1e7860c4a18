namespace EvalHarness.Core.Comparison;

/// <summary>One scenario (under one variant, when runs are compared) on both sides.</summary>
/// <param name="Key">The scenario, as <c>variant/scenario</c> when runs are compared, or <c>scenario</c> when variants are.</param>
/// <param name="Base">Its cases on the base side, or null when it is new.</param>
/// <param name="Current">Its cases on the current side, or null when it was removed.</param>
/// <param name="Change">How its result moved.</param>
/// <param name="Flaky">Whether it flips between pass and fail across recent runs (a change may be noise).</param>
/// <param name="Critical">Whether it is marked critical.</param>
public sealed record ScenarioComparison(string Key, SideStats? Base, SideStats? Current, Change Change, bool Flaky, bool Critical);
