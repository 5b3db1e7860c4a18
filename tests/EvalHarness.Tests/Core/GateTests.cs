using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using static EvalHarness.Tests.Reports.RunWriterTests;

namespace EvalHarness.Tests.Core;

public sealed class GateTests
{
    /// <summary>n cases of which the first <paramref name="passed"/> pass, scenarios s1…sn.</summary>
    private static RunResult Cases(int n, int passed, string runId = "current", Func<CaseResult, CaseResult>? change = null) =>
        Run([.. Enumerable.Range(1, n).Select(i => (change ?? (c => c))(Case($"s{i}", i <= passed)))]) with { RunId = runId };

    /// <summary>The same cases from a recording: a live run samples the model, so drops are tested for significance.</summary>
    private static RunResult Live(RunResult run) => run with { Mode = "record (all)" };

    private static GateRule Rule(GateResult gate, string name) => gate.Rules.Single(r => r.Rule == name);

    [Theory]
    [InlineData(9, GateStatus.Pass)]
    [InlineData(8, GateStatus.Fail)]
    public void MinSuccessRate_BothSidesOfTheThreshold(int passed, GateStatus expected)
    {
        var gate = ReleaseGate.Evaluate(Cases(10, passed), null, new GatePolicy { MinSuccessRate = 0.9, CriticalMustPass = false });

        var rule = Rule(gate, "min_success_rate");
        Assert.Equal(expected, rule.Status);
        Assert.Equal(expected == GateStatus.Pass, gate.Passed);
        Assert.Equal(("≥ 90%", $"{passed} of 10 case(s) passed."), (rule.Threshold, rule.Detail));
    }

    [Theory]
    [InlineData(true, GateStatus.Pass)]
    [InlineData(false, GateStatus.Fail)]
    public void MinSuccessRateByTag_JudgesOnlyTheTaggedCases(bool taggedPasses, GateStatus expected)
    {
        // Nine untagged cases fail either way: the tag's rule looks at the tagged case alone.
        var run = Run([Case("billing", taggedPasses) with { Tags = ["billing"] }, .. Enumerable.Range(1, 9).Select(i => Case($"other{i}", false))]);

        var gate = ReleaseGate.Evaluate(run, null, new GatePolicy { MinSuccessRateByTag = new Dictionary<string, double> { ["billing"] = 1.0 }, CriticalMustPass = false });

        Assert.Equal(expected, Rule(gate, "min_success_rate[billing]").Status);
    }

    [Fact]
    public void MinSuccessRateByTag_TagNoCaseCarries_FailsAndSaysSo()
    {
        var gate = ReleaseGate.Evaluate(Cases(3, 3), null, new GatePolicy { MinSuccessRateByTag = new Dictionary<string, double> { ["critcal"] = 1.0 } });

        var rule = Rule(gate, "min_success_rate[critcal]");
        Assert.Equal(GateStatus.Fail, rule.Status);
        Assert.Contains("check the tag's spelling", rule.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxSuccessDrop_SignificantDropPastTheThreshold_Fails()
    {
        // 20 paired cases: 10 passed before and fail now, none the other way: McNemar exact p = 2 * 0.5^10 ≈ 0.002.
        var baseline = Cases(20, 20, "base");
        var current = Live(Cases(20, 10));

        var gate = ReleaseGate.Evaluate(current, baseline, new GatePolicy { MaxSuccessDropPoints = 5, Alpha = 0.05, CriticalMustPass = false });

        var rule = Rule(gate, "max_success_drop_points");
        Assert.Equal(GateStatus.Fail, rule.Status);
        Assert.Equal("50 pts", rule.Measured);
        Assert.Contains("McNemar exact p = 0.002", rule.Detail, StringComparison.Ordinal);
        Assert.Equal(["default/s11", "default/s12"], gate.Regressed.Take(2));
    }

    [Fact]
    public void MaxSuccessDrop_DropWithinTheThreshold_Passes()
    {
        var gate = ReleaseGate.Evaluate(Cases(20, 19), Cases(20, 20, "base"), new GatePolicy { MaxSuccessDropPoints = 5, CriticalMustPass = false });

        Assert.Equal((GateStatus.Pass, "5 pts"), (Rule(gate, "max_success_drop_points").Status, Rule(gate, "max_success_drop_points").Measured));
    }

    [Fact]
    public void MaxSuccessDrop_LiveRun_LargeButNotSignificant_IsNoise()
    {
        // 3 of 4 paired cases flipped: a 75-point drop, but McNemar exact p = 0.25 on so few cases.
        var gate = ReleaseGate.Evaluate(Live(Cases(4, 1)), Cases(4, 4, "base"), new GatePolicy { MaxSuccessDropPoints = 5, Alpha = 0.05, CriticalMustPass = false });

        var rule = Rule(gate, "max_success_drop_points");
        Assert.Equal(GateStatus.Pass, rule.Status);
        Assert.Contains("not significant at α = 0.05: treated as noise (a recording samples the model", rule.Detail, StringComparison.Ordinal);
        Assert.True(gate.PassedWithRegressions);
        Assert.StartsWith("Gate passed with 3 regressed scenario(s) the policy allows: default/s2, default/s3, default/s4", gate.Headline, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxSuccessDrop_Replay_EveryDropCounts_WithoutASignificanceTest()
    {
        // The same 3 of 4 flips in a replay: the cassettes answer alike every time, so the change did it.
        var gate = ReleaseGate.Evaluate(Cases(4, 1), Cases(4, 4, "base"), new GatePolicy { MaxSuccessDropPoints = 5, Alpha = 0.05, CriticalMustPass = false });

        var rule = Rule(gate, "max_success_drop_points");
        Assert.Equal((GateStatus.Fail, "75 pts"), (rule.Status, rule.Measured));
        Assert.Contains("every drop counts (no significance test): 3 case(s) that passed in the baseline fail now", rule.Detail, StringComparison.Ordinal);
        Assert.StartsWith("Gate failed: 1 of ", gate.Headline, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "3 case(s) that passed in the baseline fail now (1 of them ended in an error: not judged, see max_error_rate).")]
    [InlineData(true, "; 1 case(s) that passed in the baseline ended in an error: not judged (see max_error_rate).")]
    public void MaxSuccessDrop_CasesThatErred_AreNamedAsNotJudged(bool live, string expected)
    {
        // s4's cassette is missing: it did not fail, it was not run.
        var current = Cases(4, 1, change: c => c.Scenario == "s4" ? c with { Error = "cassette 'support/default/s4/t1' not found" } : c);

        var gate = ReleaseGate.Evaluate(live ? Live(current) : current, Cases(4, 4, "base"), new GatePolicy { MaxSuccessDropPoints = 5, CriticalMustPass = false });

        Assert.EndsWith(expected, Rule(gate, "max_success_drop_points").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxCostIncrease_IsOverThePairsThatRan_AndSaysHowManyWereLeftOut()
    {
        var current = Cases(4, 3, change: c => c.Scenario == "s4" ? c with { CostUsd = 0m, LatencyMs = 0, Error = "cassette 'support/default/s4/t1' not found" } : c);

        var gate = ReleaseGate.Evaluate(current, Cases(4, 4, "base"), new GatePolicy { MaxCostIncreasePercent = 10, CriticalMustPass = false });

        Assert.Equal("Cost per case $0.000159 → $0.000159 over 3 paired case(s) (1 left out: they ended in an error on either side).", Rule(gate, "max_cost_increase_pct").Detail);
    }

    [Fact]
    public void MaxCostAndLatencyIncrease_EveryCaseErred_AreSkipped_NotPassedAsAFall()
    {
        var current = Cases(2, 0, change: c => c with { CostUsd = 0m, LatencyMs = 0, Error = "cassette not found" });

        var gate = ReleaseGate.Evaluate(current, Cases(2, 2, "base"), new GatePolicy { MaxCostIncreasePercent = 10, MaxP95LatencyIncreasePercent = 10, CriticalMustPass = false });

        Assert.All(new[] { Rule(gate, "max_cost_increase_pct"), Rule(gate, "max_p95_latency_increase_pct") }, rule =>
            Assert.Equal((GateStatus.Skipped, "No case ran without an error on both sides: there is nothing to compare (see max_error_rate)."), (rule.Status, rule.Detail)));
    }

    [Fact]
    public void MaxSuccessDrop_ReplayOfSeveralTrials_KeepsTheSignificanceTest()
    {
        var trials = Cases(4, 1, change: c => c with { Trial = 2 });

        var gate = ReleaseGate.Evaluate(trials, Cases(4, 4, "base", c => c with { Trial = 2 }), new GatePolicy { MaxSuccessDropPoints = 5, Alpha = 0.05, CriticalMustPass = false });

        var rule = Rule(gate, "max_success_drop_points");
        Assert.Equal(GateStatus.Pass, rule.Status);
        Assert.Contains("several trials sample the model's recordings", rule.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxSuccessDrop_FlakyScenariosAreLeftOut()
    {
        var flaky = new HashSet<string>(Enumerable.Range(11, 10).Select(i => $"default/s{i}"), StringComparer.Ordinal);

        var gate = ReleaseGate.Evaluate(Cases(20, 10), Cases(20, 20, "base"), new GatePolicy { MaxSuccessDropPoints = 5, CriticalMustPass = false }, flaky);

        var rule = Rule(gate, "max_success_drop_points");
        Assert.Equal((GateStatus.Pass, "0 pts"), (rule.Status, rule.Measured));
        Assert.Contains("10 case(s) of flaky scenarios left out", rule.Detail, StringComparison.Ordinal);
        Assert.Empty(gate.Regressed);
        Assert.Equal(10, gate.Flaky.Count);
    }

    [Fact]
    public void MaxSuccessDrop_NoBaseline_IsSkippedAndDoesNotFail()
    {
        var gate = ReleaseGate.Evaluate(Cases(3, 3), null, GatePolicy.Default);

        Assert.Equal(GateStatus.Skipped, Rule(gate, "max_success_drop_points").Status);
        Assert.True(gate.Passed);
        Assert.Null(gate.BaselineRunId);
    }

    [Theory]
    [InlineData(true, GateStatus.Pass)]
    [InlineData(false, GateStatus.Fail)]
    public void CriticalMustPass_BothSides(bool criticalPasses, GateStatus expected)
    {
        var run = Run(Case("refund", criticalPasses) with { Critical = true }, Case("chit-chat", false));

        var gate = ReleaseGate.Evaluate(run, null, new GatePolicy { CriticalMustPass = true });

        var rule = Rule(gate, "critical_must_pass");
        Assert.Equal(expected, rule.Status);
        Assert.Equal(criticalPasses ? "All 1 critical case(s) passed." : "Failed: support/default/refund/t1.", rule.Detail);
    }

    [Theory]
    [InlineData(0.000110, GateStatus.Pass)] // +10% of 0.0001
    [InlineData(0.000111, GateStatus.Fail)] // +11%
    public void MaxCostIncrease_BothSides(double cost, GateStatus expected)
    {
        var baseline = Cases(4, 4, "base", c => c with { CostUsd = 0.0001m });
        var current = Cases(4, 4, change: c => c with { CostUsd = (decimal)cost });

        var gate = ReleaseGate.Evaluate(current, baseline, new GatePolicy { MaxCostIncreasePercent = 10, CriticalMustPass = false });

        Assert.Equal(expected, Rule(gate, "max_cost_increase_pct").Status);
    }

    [Fact]
    public void MaxCostIncrease_UnpricedModel_IsSkipped()
    {
        var gate = ReleaseGate.Evaluate(Cases(2, 2, change: c => c with { CostUsd = null }), Cases(2, 2, "base"), new GatePolicy { MaxCostIncreasePercent = 10 });

        Assert.Equal(GateStatus.Skipped, Rule(gate, "max_cost_increase_pct").Status);
    }

    [Theory]
    [InlineData(1200, GateStatus.Pass)] // +20%
    [InlineData(1201, GateStatus.Fail)]
    public void MaxP95LatencyIncrease_BothSides(double latency, GateStatus expected)
    {
        var baseline = Cases(10, 10, "base", c => c with { LatencyMs = 1000 });
        var current = Cases(10, 10, change: c => c with { LatencyMs = latency });

        var gate = ReleaseGate.Evaluate(current, baseline, new GatePolicy { MaxP95LatencyIncreasePercent = 20, CriticalMustPass = false });

        Assert.Equal(expected, Rule(gate, "max_p95_latency_increase_pct").Status);
    }

    [Theory]
    [InlineData(1, GateStatus.Pass)] // 1 of 10 tool calls: 10%
    [InlineData(2, GateStatus.Fail)] // 20%
    public void MaxUnknownToolRate_BothSides(int unknown, GateStatus expected)
    {
        var run = Run(
            Case("a", true) with { ToolCallCount = 5, Counters = new Dictionary<string, int> { ["unknown_tool_calls"] = unknown } },
            Case("b", true) with { ToolCallCount = 5 });

        var gate = ReleaseGate.Evaluate(run, null, new GatePolicy { MaxUnknownToolRate = 0.1, CriticalMustPass = false });

        Assert.Equal(expected, Rule(gate, "max_unknown_tool_rate").Status);
    }

    [Theory]
    [InlineData(0, GateStatus.Pass)]
    [InlineData(1, GateStatus.Fail)]
    public void MaxErrorRate_BothSides(int errors, GateStatus expected)
    {
        var run = Cases(4, 4, change: c => c.Scenario == "s1" && errors > 0 ? c with { Passed = false, Error = "cassette miss" } : c);

        var gate = ReleaseGate.Evaluate(run, null, new GatePolicy { MaxErrorRate = 0, CriticalMustPass = false });

        Assert.Equal(expected, Rule(gate, "max_error_rate").Status);
    }

    [Fact]
    public void Variants_GateOnlyTheNamedOnes()
    {
        var run = Run(Case("a", true), Case("a", false, variant: "hasty"));

        var all = ReleaseGate.Evaluate(run, null, new GatePolicy { MinSuccessRate = 1.0 });
        var careful = ReleaseGate.Evaluate(run, null, new GatePolicy { MinSuccessRate = 1.0, Variants = ["default"] });

        Assert.Equal((false, true), (all.Passed, careful.Passed));
    }

    [Fact]
    public void Variants_UnknownVariant_IsAnInputError()
    {
        var error = Assert.Throws<ArgumentException>(() => ReleaseGate.Evaluate(Cases(1, 1), null, new GatePolicy { Source = "gate.yaml", Variants = ["nope"] }));

        Assert.StartsWith("gate.yaml: the policy gates the variant(s) nope, but the run current has default.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyLoader_ReadsEveryKey()
    {
        var policy = GatePolicyLoader.Parse("gate.yaml", """
            variants: [careful]
            min_success_rate: 95%
            min_success_rate_by_tag: { critical: 1.0, refund: 0.8 }
            max_success_drop_points: 5
            alpha: 0.01
            critical_must_pass: false
            max_cost_increase_pct: 15
            max_p95_latency_increase_pct: 25
            max_unknown_tool_rate: 0.02
            max_error_rate: 0
            flaky_window: 5
            """);

        Assert.Equal(["careful"], policy.Variants);
        Assert.Equal((0.95, 5.0, 0.01, false), (policy.MinSuccessRate!.Value, policy.MaxSuccessDropPoints!.Value, policy.Alpha, policy.CriticalMustPass));
        Assert.Equal((0.8, 15.0, 25.0, 0.02, 0.0, 5), (policy.MinSuccessRateByTag["refund"], policy.MaxCostIncreasePercent!.Value, policy.MaxP95LatencyIncreasePercent!.Value, policy.MaxUnknownToolRate!.Value, policy.MaxErrorRate!.Value, policy.FlakyWindow));
    }

    [Theory]
    [InlineData("min_sucess_rate: 0.9", "gate.yaml:1:1: unknown key 'min_sucess_rate' in a gate policy. Did you mean 'min_success_rate'?")]
    [InlineData("min_success_rate: 1.5", "gate.yaml:1:19: min_success_rate must be a share from 0 to 1 (or a percentage such as 95%), not '1.5'.")]
    [InlineData("alpha: 2", "gate.yaml:1:8: alpha must be between 0 and 1 (0.05 is usual), not 2.")]
    [InlineData("max_cost_increase_pct: lots", "gate.yaml:1:24: max_cost_increase_pct must be a number, not 'lots'.")]
    [InlineData("critical_must_pass: maybe", "gate.yaml:1:21: critical_must_pass must be true or false, not 'maybe'.")]
    [InlineData("min_success_rate_by_tag: [critical]", "gate.yaml:1:26: min_success_rate_by_tag must be a mapping (key: value lines), not a list.")]
    public void PolicyLoader_Mistakes_NameTheLineAndColumn(string yaml, string expected)
    {
        var error = Assert.Throws<SuiteException>(() => GatePolicyLoader.Parse("gate.yaml", yaml));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void PolicyLoader_OnlyComments_IsEveryDefault()
    {
        var policy = GatePolicyLoader.Parse("gate.yaml", "# nothing yet\n\n");

        Assert.Equal((true, (double?)null, "gate.yaml"), (policy.CriticalMustPass, policy.MinSuccessRate, policy.Source));
    }

    [Fact]
    public void CriticalMustPass_TurnedOff_IsListedAsOff()
    {
        var gate = ReleaseGate.Evaluate(Run(Case("refund", false) with { Critical = true }), null, new GatePolicy { CriticalMustPass = false });

        Assert.Equal((GateStatus.Skipped, "off"), (Rule(gate, "critical_must_pass").Status, Rule(gate, "critical_must_pass").Measured));
        Assert.True(gate.Passed);
    }
}
