using EvalHarness.Core.Statistics;

namespace EvalHarness.Tests.Core;

public sealed class SignificanceTests
{
    // Exact: 2 * (C(12,0) + C(12,1) + C(12,2)) / 2^12 = 158/4096; 2 * 7/64 = 0.21875; 2/64 = 0.03125.
    // The last three were summed in exact rational arithmetic (binomial coefficients as big integers).
    [Theory]
    [InlineData(10, 2, 0.03857421875)]
    [InlineData(2, 10, 0.03857421875)]
    [InlineData(0, 0, 1.0)]
    [InlineData(1, 0, 1.0)]
    [InlineData(6, 0, 0.03125)]
    [InlineData(5, 1, 0.21875)]
    [InlineData(7, 7, 1.0)]
    [InlineData(40, 20, 0.01348929373119186)]
    [InlineData(1000, 900, 0.02310884510890107)]
    public void McNemarExact_MatchesExactBinomialTail(int onlyA, int onlyB, double expected) =>
        Assert.Equal(expected, Significance.McNemarExact(onlyA, onlyB), 1e-10);

    // 2·½⁵ = 0.0625 and 2·½⁶ = 0.03125; 2/C(6,3) = 0.1 and 2/C(8,4) = 0.0286 (a side of 3, of 4).
    [Theory]
    [InlineData(0.05, 6, 4)]
    [InlineData(0.01, 8, 5)]
    public void FewestCases_AreTheFewestWithWhichTheMostLopsidedResultIsSignificant(double alpha, int mcNemar, int fisher)
    {
        Assert.Equal(mcNemar, Significance.McNemarFewestCases(alpha));
        Assert.True(Significance.McNemarExact(mcNemar - 1, 0) >= alpha && Significance.McNemarExact(mcNemar, 0) < alpha);
        Assert.Equal(fisher, Significance.FisherFewestCases(alpha));
        Assert.True(Significance.FisherExact(fisher - 1, 0, 0, fisher - 1) >= alpha && Significance.FisherExact(fisher, 0, 0, fisher) < alpha);
    }

    [Fact]
    public void McNemarExact_HundredThousandPairs_IsFiniteAndMatchesExactValue()
    {
        var p = Significance.McNemarExact(50000, 49000);

        Assert.InRange(p, double.Epsilon, 1.0);
        Assert.Equal(0.0014980826229749737, p, 1e-10);
        Assert.Equal(1.0, Significance.McNemarExact(50000, 50000));
        Assert.InRange(Significance.McNemarExact(100000, 0), 0.0, 1e-300); // 2^-99999 underflows to zero; never NaN
    }

    // The first three are R's fisher.test values (the tea-tasting table among them); the rest summed exactly.
    [Theory]
    [InlineData(3, 1, 1, 3, 0.4857142857142857)]
    [InlineData(1, 9, 11, 3, 0.0027594561852200836)]
    [InlineData(10, 0, 0, 10, 1.082508822446903e-05)]
    [InlineData(7, 3, 2, 8, 0.06977851869492736)]
    [InlineData(50, 10, 40, 20, 0.056725934746717464)]
    [InlineData(200, 100, 180, 120, 0.10737770456865163)]
    [InlineData(700, 300, 650, 350, 0.01928432161451363)]
    [InlineData(0, 0, 0, 0, 1.0)]
    [InlineData(0, 5, 0, 5, 1.0)]
    public void FisherExact_MatchesReferenceValues(int aPassed, int aFailed, int bPassed, int bFailed, double expected)
    {
        var p = Significance.FisherExact(aPassed, aFailed, bPassed, bFailed);

        Assert.Equal(expected, p, expected * 1e-8);
    }

    [Theory]
    [InlineData(1, 9, 11, 3)]
    [InlineData(50, 10, 40, 20)]
    [InlineData(700, 300, 650, 350)]
    public void FisherExact_SwappedRowsOrColumns_GiveTheSameP(int a, int b, int c, int d)
    {
        var p = Significance.FisherExact(a, b, c, d);

        Assert.Equal(p, Significance.FisherExact(c, d, a, b), 1e-12);
        Assert.Equal(p, Significance.FisherExact(b, a, d, c), 1e-12);
    }

    [Fact]
    public void FisherExact_LargeBalancedTable_IsOne() =>
        Assert.Equal(1.0, Significance.FisherExact(5000, 5000, 5000, 5000), 1e-9);

    [Fact]
    public void FisherExact_LargeUnbalancedTable_IsTinyButFinite()
    {
        var p = Significance.FisherExact(30000, 20000, 20000, 30000);

        Assert.True(double.IsFinite(p));
        Assert.InRange(p, 0.0, 1e-100);
    }

    [Theory]
    [InlineData(10.0, 12.801827480081469)]      // ln 9! = ln 362880
    [InlineData(0.5, 0.5723649429247001)]       // ln √π
    [InlineData(0.25, 1.2880225246980774)]      // through the reflection formula
    [InlineData(1.0, 0.0)]
    [InlineData(100001.0, 1051299.221899122)]  // ln 100000!
    public void LogGamma_MatchesKnownValues(double x, double expected) =>
        Assert.Equal(expected, Significance.LogGamma(x), Math.Max(1e-12, expected * 1e-13));

    [Fact]
    public void NegativeCounts_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Significance.McNemarExact(-1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Significance.McNemarExact(3, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Significance.FisherExact(-1, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Significance.FisherExact(0, 0, 0, -2));
    }
}
