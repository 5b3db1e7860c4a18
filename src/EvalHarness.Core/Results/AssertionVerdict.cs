namespace EvalHarness.Core.Results;

/// <summary>One assertion's verdict on a run, with the reason a person can read.</summary>
/// <param name="Kind">The assertion, e.g. <c>output.contains</c>.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Reason">Why it passed or failed.</param>
public sealed record AssertionVerdict(string Kind, bool Passed, string Reason)
{
    /// <summary>
    /// The score behind the verdict, for an assertion that scores (the judge's, 0 to 1); null for one that only holds or
    /// not. Exported as the <c>gen_ai.evaluation.score.value</c> of the assertion's OpenTelemetry event.
    /// </summary>
    public double? Score { get; init; }
}
