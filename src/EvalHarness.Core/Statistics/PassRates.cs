namespace EvalHarness.Core.Statistics;

/// <summary>
/// Success over repeated trials. With n trials of which c passed: <b>pass@k</b>, the chance that at least one
/// of k trials drawn without replacement passes, 1 − C(n−c, k)/C(n, k) (the unbiased estimator of the
/// code-generation literature); and <b>pass^k</b>, the chance that all k pass, C(c, k)/C(n, k) (as in tau-bench).
/// </summary>
public static class PassRates
{
    /// <summary>pass@k for <paramref name="passed"/> of <paramref name="trials"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not in 1..n, or c is not in 0..n.</exception>
    public static double PassAtK(int trials, int passed, int k)
    {
        Check(trials, passed, k);
        if (trials - passed < k)
        {
            return 1.0;
        }

        // 1 - prod_{i=n-c+1}^{n} (1 - k/i), the numerically stable form of 1 - C(n-c,k)/C(n,k).
        var failAll = 1.0;
        for (var i = trials - passed + 1; i <= trials; i++)
        {
            failAll *= 1.0 - ((double)k / i);
        }

        return 1.0 - failAll;
    }

    /// <summary>pass^k for <paramref name="passed"/> of <paramref name="trials"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not in 1..n, or c is not in 0..n.</exception>
    public static double PassHatK(int trials, int passed, int k)
    {
        Check(trials, passed, k);
        if (passed < k)
        {
            return 0.0;
        }

        // C(c,k)/C(n,k) = prod_{i=0}^{k-1} (c-i)/(n-i).
        var all = 1.0;
        for (var i = 0; i < k; i++)
        {
            all *= (double)(passed - i) / (trials - i);
        }

        return all;
    }

    /// <summary>The Wilson score interval for a proportion: 95% by default (z = 1.96).</summary>
    public static (double Low, double High) Wilson(int trials, int passed, double z = 1.959963984540054)
    {
        if (trials == 0)
        {
            return (0, 1);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(passed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(passed, trials);
        var p = (double)passed / trials;
        var z2 = z * z;
        var centre = (p + (z2 / (2 * trials))) / (1 + (z2 / trials));
        var half = z * Math.Sqrt((p * (1 - p) / trials) + (z2 / (4.0 * trials * trials))) / (1 + (z2 / trials));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static void Check(int trials, int passed, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(passed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(passed, trials);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, trials);
    }
}
