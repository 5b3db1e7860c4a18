namespace EvalHarness.Core.Comparison;

/// <summary>
/// Whether two success rates differ by more than chance: McNemar's exact test when the same cases ran on both
/// sides (paired), Fisher's exact test otherwise.
/// </summary>
/// <param name="Method"><c>McNemar exact</c> or <c>Fisher exact</c>.</param>
/// <param name="Cases">Paired cases (McNemar) or cases on both sides in all (Fisher).</param>
/// <param name="OnlyBasePassed">Paired cases that passed only on the base side (McNemar); 0 for Fisher.</param>
/// <param name="OnlyCurrentPassed">Paired cases that passed only on the current side (McNemar); 0 for Fisher.</param>
/// <param name="PValue">The two-sided p-value.</param>
public sealed record SuccessTest(string Method, int Cases, int OnlyBasePassed, int OnlyCurrentPassed, double PValue)
{
    /// <summary>Whether the difference is significant at <paramref name="alpha"/>.</summary>
    public bool IsSignificant(double alpha) => PValue < alpha;
}
