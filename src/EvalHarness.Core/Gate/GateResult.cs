namespace EvalHarness.Core.Gate;

/// <summary>The gate's verdict on a run: every rule with its measured value and threshold.</summary>
/// <param name="Passed">Whether no rule failed.</param>
/// <param name="RunId">The gated run.</param>
/// <param name="Policy">Where the policy came from: a file, or <c>built-in</c>.</param>
/// <param name="BaselineRunId">The run compared against, or null without a baseline.</param>
/// <param name="Rules">Every rule, in the policy's order.</param>
public sealed record GateResult(bool Passed, string RunId, string Policy, string? BaselineRunId, IReadOnlyList<GateRule> Rules)
{
    /// <summary>How gate.json is written and read: camelCase, indented, nulls skipped, enums by name, text unescaped.</summary>
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<GateResult> JsonTypeInfo => Results.ResultsJsonContext.Relaxed.GateResult;

    /// <summary>Scenarios (<c>variant/scenario</c>) that got worse against the baseline and are not flaky.</summary>
    public IReadOnlyList<string> Regressed { get; init; } = [];

    /// <summary>Scenarios of the run that flip between pass and fail across recent runs: shown apart from regressions.</summary>
    public IReadOnlyList<string> Flaky { get; init; } = [];

    /// <summary>Whether the gate passed although scenarios regressed (within what the policy allows): never shown as a plain pass.</summary>
    public bool PassedWithRegressions => Passed && Regressed.Count > 0;

    /// <summary>The verdict in one line, as every report shows it: a pass with regressions names them.</summary>
    public string Headline => !Passed
        ? $"Gate failed: {Rules.Count(r => r.Status == GateStatus.Fail)} of {Rules.Count} rule(s) not met"
        : Regressed.Count > 0
            ? $"Gate passed with {Regressed.Count} regressed scenario(s) the policy allows: {string.Join(", ", Regressed.Take(5))}{(Regressed.Count > 5 ? $" and {Regressed.Count - 5} more" : string.Empty)}"
            : "Gate passed";
}
