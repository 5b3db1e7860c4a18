using EvalHarness.Core.Comparison;
using static EvalHarness.Tests.Reports.RunWriterTests;

namespace EvalHarness.Tests.Core;

public sealed class ComparerTests
{
    [Fact]
    public void Runs_SameCases_ArePairedAndEveryScenarioGetsItsChange()
    {
        var baseline = Run(Case("kept", true), Case("broke", true), Case("mended", false), Case("gone", true)) with { RunId = "a" };
        var current = Run(Case("kept", true), Case("broke", false), Case("mended", true), Case("added", true)) with { RunId = "b" };

        var c = Comparer.Runs(baseline, current);

        Assert.True(c.Paired);
        Assert.Equal((3, 1, 1), (c.Test.Cases, c.Test.OnlyBasePassed, c.Test.OnlyCurrentPassed));
        Assert.Equal(1.0, c.Test.PValue, 6);
        Assert.Equal(
            [("default/kept", Change.Same), ("default/broke", Change.Regressed), ("default/mended", Change.Fixed), ("default/added", Change.New), ("default/gone", Change.Removed)],
            c.Scenarios.Select(s => (s.Key, s.Change)));
    }

    [Fact]
    public void Runs_NoCaseInCommon_UseFishersTest()
    {
        var baseline = Run([.. Enumerable.Range(1, 10).Select(i => Case($"old{i}", i <= 1))]) with { RunId = "a" };
        var current = Run([.. Enumerable.Range(1, 14).Select(i => Case($"new{i}", i <= 11))]) with { RunId = "b" };

        var c = Comparer.Runs(baseline, current);

        Assert.False(c.Paired);
        Assert.Equal(Comparer.Fisher, c.Test.Method);
        Assert.Equal(0.002759, c.Test.PValue, 5); // [[1, 9], [11, 3]], as R's fisher.test gives it
    }

    [Fact]
    public void Variants_PairScenariosAcrossVariantsOfOneRun()
    {
        var run = Run(
            Case("a", true) with { CostUsd = 0.001m, Steps = 2 }, Case("b", true) with { CostUsd = 0.001m },
            Case("a", false, variant: "v2") with { CostUsd = 0.003m, Steps = 5 }, Case("b", true, variant: "v2") with { CostUsd = 0.001m });

        var c = Comparer.Variants(run, "default", "v2");

        Assert.Equal(("default", "v2"), (c.BaseLabel, c.CurrentLabel));
        Assert.Equal([("a", Change.Regressed), ("b", Change.Same)], c.Scenarios.Select(s => (s.Key, s.Change)));
        Assert.Equal(-50, c.SuccessDeltaPoints);
        Assert.Equal(100, c.CostChangePercent); // 0.001 → 0.002 per case
        Assert.Equal(3, c.Scenarios[0].Current!.MeanSteps - c.Scenarios[0].Base!.MeanSteps);
    }

    [Fact]
    public void Variants_UnknownVariant_NamesTheOnesThereAre()
    {
        var error = Assert.Throws<ArgumentException>(() => Comparer.Variants(Run(Case("a", true)), "default", "v9"));

        Assert.StartsWith("The run 20261122-101500-support-abc123 has no variant 'v9'; it has default.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_FlakyScenariosAreMarked()
    {
        var c = Comparer.Runs(Run(Case("a", true)) with { RunId = "x" }, Run(Case("a", false)), new HashSet<string>(["default/a"], StringComparer.Ordinal));

        Assert.True(c.Scenarios.Single().Flaky);
    }

    [Fact]
    public void Runs_CaseThatEndedInAnError_IsLeftOutOfCostAndLatency()
    {
        var baseline = Run(Case("a", true) with { CostUsd = 0.001m, LatencyMs = 100 }, Case("b", true) with { CostUsd = 0.001m, LatencyMs = 100 }) with { RunId = "x" };
        var current = Run(
            Case("a", true) with { CostUsd = 0.003m, LatencyMs = 300 },
            Case("b", false) with { CostUsd = 0m, LatencyMs = 0, Error = "cassette 'support/default/b/t1' not found" });

        var c = Comparer.Runs(baseline, current);

        Assert.Equal(200, c.CostChangePercent); // a alone: 0.001 → 0.003, not (0.003 + 0) / 2
        Assert.Equal(200, c.LatencyP95ChangePercent);
        Assert.Equal((2, 1), (c.Current.Cases, c.Current.Passed));
    }

    [Fact]
    public void Runs_AScenarioWhoseCasesAllErred_HasNoStepsCostOrLatencyToCompare()
    {
        var baseline = Run(Case("a", true), Case("b", true)) with { RunId = "x" };
        var current = Run(Case("a", true), Case("b", false) with { Steps = 1, CostUsd = 0m, LatencyMs = 0, Error = "cassette 'support/default/b/t1' not found" });

        var b = Comparer.Runs(baseline, current).Scenarios.Single(s => s.Key == "default/b");

        Assert.Equal(0, b.Current!.Measured);
        Assert.Equal(["not run", "not run", "not run"], [EvalHarness.Reports.Format.StepsDelta(b), EvalHarness.Reports.Format.CostDelta(b), EvalHarness.Reports.Format.LatencyDelta(b)]);
    }

    [Fact]
    public void Runs_EveryCaseErred_ChangesOfCostAndLatencyAreUnknown_NotAFall()
    {
        var current = Run(Case("a", false) with { CostUsd = 0m, LatencyMs = 0, Error = "cassette 'support/default/a/t1' not found" });

        var c = Comparer.Runs(Run(Case("a", true)) with { RunId = "x" }, current);

        Assert.False(c.Measured);
        Assert.Equal((null, null), (c.CostChangePercent, c.LatencyP95ChangePercent));
    }

    [Theory]
    [InlineData("replay", 1, true)]
    [InlineData("record (all)", 1, false)] // a recording samples the model
    [InlineData("replay", 2, false)] // trials sample the recordings
    public void Runs_AReplayOfSingleTrials_IsDeterministic(string mode, int trial, bool deterministic)
    {
        var baseline = Run(Case("a", true) with { Trial = trial }) with { RunId = "x" };
        var current = Run(Case("a", false) with { Trial = trial }) with { Mode = mode };

        Assert.Equal(deterministic, Comparer.Runs(baseline, current).Deterministic);
    }

    [Fact]
    public void Variants_OfAReplay_AreTwoRecordings_AndKeepTheTest()
    {
        var run = Run(Case("a", true, variant: "one"), Case("a", false, variant: "two"));

        Assert.False(Comparer.Variants(run, "one", "two").Deterministic);
    }
}
