using EvalHarness.Core.Statistics;

namespace EvalHarness.Tests.Core;

public sealed class PassRatesTests
{
    // Hand-computed: n = 5 trials, c = 2 passed.
    // pass@1 = c/n = 0.4. pass@2 = 1 - C(3,2)/C(5,2) = 1 - 3/10 = 0.7. pass@3 = 1 - C(3,3)/C(5,3) = 1 - 1/10 = 0.9. pass@4 = 1 (n-c = 3 < 4).
    // pass^1 = 0.4. pass^2 = C(2,2)/C(5,2) = 1/10 = 0.1. pass^3 = 0 (c < k).
    [Theory]
    [InlineData(5, 2, 1, 0.4, 0.4)]
    [InlineData(5, 2, 2, 0.7, 0.1)]
    [InlineData(5, 2, 3, 0.9, 0.0)]
    [InlineData(5, 2, 4, 1.0, 0.0)]
    [InlineData(10, 7, 3, 0.9916666666666667, 0.2916666666666667)] // 1 - C(3,3)/C(10,3) = 1 - 1/120; C(7,3)/C(10,3) = 35/120
    [InlineData(4, 4, 4, 1.0, 1.0)]
    [InlineData(4, 0, 2, 0.0, 0.0)]
    public void PassAtKAndPassHatK_MatchHandComputedValues(int n, int c, int k, double passAtK, double passHatK)
    {
        Assert.Equal(passAtK, PassRates.PassAtK(n, c, k), 12);
        Assert.Equal(passHatK, PassRates.PassHatK(n, c, k), 12);
    }

    [Fact]
    public void Wilson_MatchesTheTextbookInterval()
    {
        // 8 of 10, z = 1.96: centre (0.8 + 0.19208)/1.38416 = 0.716803; half = 1.96*sqrt(0.016 + 0.00096040)/1.38416 = 0.184368.
        var (low, high) = PassRates.Wilson(10, 8);

        Assert.Equal(0.4902, low, 4);
        Assert.Equal(0.9433, high, 4);
        Assert.Equal((0.0, 1.0), PassRates.Wilson(0, 0));
        Assert.Equal(0.0, PassRates.Wilson(20, 0).Low, 12);
        Assert.Equal(1.0, PassRates.Wilson(20, 20).High, 12);
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(3, 4, 1)]
    [InlineData(3, 1, 4)]
    [InlineData(3, 1, 0)]
    public void PassAtK_ImpossibleInputs_Throw(int n, int c, int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PassRates.PassAtK(n, c, k));
}
