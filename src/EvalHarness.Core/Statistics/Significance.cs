namespace EvalHarness.Core.Statistics;

/// <summary>
/// Exact significance tests for comparing two variants' pass/fail outcomes. Both work in log space, so counts in
/// the hundreds of thousands give a p-value rather than NaN or infinity.
/// </summary>
public static class Significance
{
    // R's fisher.test counts tables "as extreme" with this relative tolerance, so ties rounded differently still count.
    private const double RelativeTolerance = 1e-7;

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>
    /// The exact two-sided McNemar test for paired outcomes (the same cases run by variants A and B): with the
    /// discordant pairs b = <paramref name="onlyAPassed"/> and c = <paramref name="onlyBPassed"/>,
    /// p = min(1, 2·P(X ≤ min(b, c))) for X ~ Binomial(b + c, ½); 1 when there are no discordant pairs.
    /// </summary>
    /// <param name="onlyAPassed">Cases A passed and B failed.</param>
    /// <param name="onlyBPassed">Cases B passed and A failed.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static double McNemarExact(int onlyAPassed, int onlyBPassed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyAPassed);
        ArgumentOutOfRangeException.ThrowIfNegative(onlyBPassed);
        var n = (long)onlyAPassed + onlyBPassed;
        if (n == 0)
        {
            return 1.0;
        }

        var tail = Math.Min(onlyAPassed, onlyBPassed);
        var logTerms = new double[tail + 1];
        for (var k = 0; k <= tail; k++)
        {
            logTerms[k] = LogChoose(n, k) - (n * Math.Log(2));
        }

        return Math.Min(1.0, 2 * Math.Exp(LogSumExp(logTerms)));
    }

    /// <summary>
    /// Fisher's exact test, two-sided, for independent samples A and B: the total probability of every 2×2 table
    /// with the observed margins that is no more likely than the observed one (as R's <c>fisher.test</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static double FisherExact(int aPassed, int aFailed, int bPassed, int bFailed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(aPassed);
        ArgumentOutOfRangeException.ThrowIfNegative(aFailed);
        ArgumentOutOfRangeException.ThrowIfNegative(bPassed);
        ArgumentOutOfRangeException.ThrowIfNegative(bFailed);
        long aTotal = (long)aPassed + aFailed, bTotal = (long)bPassed + bFailed, passed = (long)aPassed + bPassed;

        // Every table with these margins is fixed by its top-left cell x; P(x) is hypergeometric.
        var low = Math.Max(0, passed - bTotal);
        var high = Math.Min(aTotal, passed);
        var logDenominator = LogChoose(aTotal + bTotal, passed);
        double LogP(long x) => LogChoose(aTotal, x) + LogChoose(bTotal, passed - x) - logDenominator;

        var threshold = LogP(aPassed) + Math.Log(1 + RelativeTolerance);
        var asExtreme = new List<double>();
        for (var x = low; x <= high; x++)
        {
            var logP = LogP(x);
            if (logP <= threshold)
            {
                asExtreme.Add(logP);
            }
        }

        return Math.Min(1.0, Math.Exp(LogSumExp(asExtreme)));
    }

    /// <summary>
    /// The fewest paired cases with which <see cref="McNemarExact"/> can reach p &lt; <paramref name="alpha"/> at all: every
    /// one of them flipping the same way gives p = 2·½ⁿ, so fewer cannot show a change however large (6 at α = 0.05).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not between 0 and 1.</exception>
    public static int McNemarFewestCases(double alpha)
    {
        CheckAlpha(alpha);
        var n = 1;
        while (McNemarExact(n, 0) >= alpha)
        {
            n++;
        }

        return n;
    }

    /// <summary>
    /// The fewest cases on each side with which <see cref="FisherExact"/> can reach p &lt; <paramref name="alpha"/> at all:
    /// every case passing on one side and failing on the other (4 a side at α = 0.05).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not between 0 and 1.</exception>
    public static int FisherFewestCases(double alpha)
    {
        CheckAlpha(alpha);
        var n = 1;
        while (FisherExact(n, 0, 0, n) >= alpha)
        {
            n++;
        }

        return n;
    }

    /// <summary>
    /// The smallest whole multiple m of counts, up to <paramref name="maxMultiple"/>, at which <paramref name="p"/> of the
    /// counts times m falls below <paramref name="alpha"/>: how much larger a sample showing the same shares must be for
    /// the test to call them significant. Null when none is (no change, or too small a one).
    /// </summary>
    internal static int? SmallestSignificantMultiple(Func<int, double> p, double alpha, int maxMultiple)
    {
        // p falls as the same shares are seen over more cases: double until significant, then halve the gap.
        var high = 1;
        while (p(high) >= alpha)
        {
            if (high >= maxMultiple)
            {
                return null;
            }

            high = Math.Min(high * 2, maxMultiple);
        }

        var low = high / 2;
        while (high - low > 1)
        {
            var mid = low + ((high - low) / 2);
            (low, high) = p(mid) < alpha ? (low, mid) : (mid, high);
        }

        return high;
    }

    private static void CheckAlpha(double alpha)
    {
        if (alpha is not (> 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha is a significance level between 0 and 1.");
        }
    }

    /// <summary>ln C(n, k), through ln Γ so that it neither overflows nor loses the small terms.</summary>
    internal static double LogChoose(long n, long k) =>
        LogGamma(n + 1.0) - LogGamma(k + 1.0) - LogGamma(n - k + 1.0);

    /// <summary>ln Γ(x) for x &gt; 0 by the Lanczos approximation (g = 7, nine coefficients), about 15 digits.</summary>
    internal static double LogGamma(double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(x);
        if (x < 0.5)
        {
            // The series is accurate for x ≥ ½; below, the reflection formula Γ(x)Γ(1−x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    private static double LogSumExp(IReadOnlyList<double> logs)
    {
        if (logs.Count == 0)
        {
            return double.NegativeInfinity;
        }

        var max = logs.Max();
        var sum = 0.0;
        foreach (var value in logs)
        {
            sum += Math.Exp(value - max);
        }

        return max + Math.Log(sum);
    }
}
