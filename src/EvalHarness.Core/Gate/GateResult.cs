namespace EvalHarness.Core.Gate;

/// <summary>The gate's verdict on a run: every rule with its measured value and threshold.</summary>
/// <param name="Passed">Whether no rule failed.</param>
/// <param name="RunId">The gated run.</param>
/// <param name="Policy">Where the policy came from: a file, or <c>built-in</c>.</param>
/// <param name="BaselineRunId">The run compared against, or null without a baseline.</param>
/// <param name="Rules">Every rule, in the policy's order.</param>
public sealed record GateResult(bool Passed, string RunId, string Policy, string? BaselineRunId, IReadOnlyList<GateRule> Rules)
{
    /// <summary>Scenarios (<c>variant/scenario</c>) that got worse against the baseline and are not flaky.</summary>
    public IReadOnlyList<string> Regressed { get; init; } = [];

    /// <summary>Scenarios of the run that flip between pass and fail across recent runs: shown apart from regressions.</summary>
    public IReadOnlyList<string> Flaky { get; init; } = [];
}
