using EvalHarness.Reports;
using EvalHarness.Reports.Baselines;
using EvalHarness.Tests.Support;
using static EvalHarness.Tests.Reports.RunWriterTests;

namespace EvalHarness.Tests.Reports;

/// <summary>Baselines and history are filed by where a suite lives, not by its name alone.</summary>
public sealed class SuiteKeyTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Reports => _temp.Combine("reports");

    [Fact]
    public void For_IsThePathBesideTheReportsFolder_WithoutTheExtension()
    {
        Assert.Equal("suites/support", SuiteKeys.For(_temp.Combine("suites", "support.yaml"), Reports));
        Assert.Equal("evals/billing/support", SuiteKeys.For(_temp.Combine("evals", "billing", "support.yml"), _temp.Combine("reports") + "/"));
    }

    [Fact]
    public void For_ASuiteOutsideTheProject_StaysInsideTheReportsFolder_AndKeepsTwoApart()
    {
        var one = SuiteKeys.For(Path.Combine(Path.GetTempPath(), "elsewhere-a", "support.yaml"), Reports);
        var two = SuiteKeys.For(Path.Combine(Path.GetTempPath(), "elsewhere-b", "support.yaml"), Reports);

        Assert.StartsWith("outside/support-", one, StringComparison.Ordinal);
        Assert.NotEqual(one, two);
        Assert.StartsWith(Path.GetFullPath(Reports), Path.GetFullPath(BaselineStore.PathFor(Reports, one)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoSuitesNamedAlike_InDifferentFolders_HaveTheirOwnBaselineAndHistory()
    {
        var billing = Run(Case("a", passed: true)) with { SuiteFile = _temp.Combine("billing", "support.yaml"), RunId = "20261122-101500-support-aaaaaa" };
        var shipping = Run(Case("a", passed: false)) with { SuiteFile = _temp.Combine("shipping", "support.yaml"), RunId = "20261122-101600-support-bbbbbb" };

        await RunReports.AppendHistoryAsync(billing, Reports, Ct);
        var blessed = await BaselineStore.BlessAsync(SuiteKeys.Keyed(billing, Reports), Reports, cancellationToken: Ct);
        await RunReports.AppendHistoryAsync(shipping, Reports, Ct);
        var context = await RunReports.BuildAsync(shipping, Reports, baseline: null, policy: null, gate: null, Ct);

        Assert.Equal(Path.Combine(Reports, "baselines", "billing", "support.json"), blessed);
        Assert.Equal("shipping/support", context.Run.SuiteKey);
        Assert.Null(context.Baseline);
        Assert.Equal(["20261122-101600-support-bbbbbb"], context.Trend.Select(p => p.RunId).Distinct());
        Assert.True(File.Exists(Path.Combine(Reports, "history", "billing", "support.csv")));
        Assert.True(File.Exists(Path.Combine(Reports, "history", "shipping", "support.csv")));
    }
}
