using BenchmarkDotNet.Attributes;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Core.Statistics;
using EvalHarness.Reports.History;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Statistics and the release gate on a synthetic run of 10,000 cases (two variants), a baseline run of as many,
/// and thirty runs of history: the group summaries, comparing the run to the baseline and its two variants, the
/// exact significance tests, flaky scenarios from history, and <see cref="ReleaseGate.Evaluate"/> under the
/// repository's gate.yaml. The baseline is <see cref="RunSummary.Of"/>, the totals every report starts from.
/// </summary>
[MemoryDiagnoser]
public class StatisticsBenchmarks
{
    // The repository's gate.yaml.
    private const string GateYaml = """
        min_success_rate: 0.9
        max_success_drop_points: 5
        alpha: 0.05
        critical_must_pass: true
        max_cost_increase_pct: 20
        max_p95_latency_increase_pct: 25
        max_error_rate: 0
        """;

    private RunResult _run = null!;
    private RunResult _baseline = null!;
    private List<HistoryEntry> _history = null!;
    private GatePolicy _policy = null!;
    private IReadOnlySet<string> _flaky = null!;
    private (int OnlyA, int OnlyB, int APassed, int AFailed, int BPassed, int BFailed) _counts;

    [GlobalSetup]
    public void Setup()
    {
        _run = SyntheticRuns.Run(10_000);
        _baseline = SyntheticRuns.Run(10_000, "20261121-090000-bench-baseline", seed: 2);
        _history = SyntheticRuns.History(_run);
        _policy = GatePolicyLoader.Parse("gate.yaml", GateYaml);
        _flaky = new RunHistory(_history).Flaky(_policy.FlakyWindow);

        // Paired: the baseline's case against the run's; independent: the two variants of the run.
        var pairs = _baseline.Cases.Zip(_run.Cases).ToList();
        var a = _run.Cases.Where(c => c.Variant == "default").ToList();
        var b = _run.Cases.Where(c => c.Variant == "prompt-v2").ToList();
        _counts = (pairs.Count(p => p.First.Passed && !p.Second.Passed), pairs.Count(p => !p.First.Passed && p.Second.Passed),
            a.Count(c => c.Passed), a.Count(c => !c.Passed), b.Count(c => c.Passed), b.Count(c => !c.Passed));
    }

    [Benchmark(Baseline = true)]
    public RunSummary Summary() => RunSummary.Of(_run.Cases);

    [Benchmark]
    public int Groups() => GroupSummary.Of(_run.Cases).Count;

    [Benchmark]
    public RunComparison CompareRuns() => Comparer.Runs(_baseline, _run, _flaky);

    [Benchmark]
    public RunComparison CompareVariants() => Comparer.Variants(_run, "default", "prompt-v2", _flaky);

    /// <summary>McNemar on the paired cases and Fisher on the variants, from counts in the thousands.</summary>
    [Benchmark]
    public double SignificanceTests() =>
        Significance.McNemarExact(_counts.OnlyA, _counts.OnlyB) + Significance.FisherExact(_counts.APassed, _counts.AFailed, _counts.BPassed, _counts.BFailed);

    /// <summary>Flaky scenarios from thirty runs of history (300,000 rows), over the policy's window.</summary>
    [Benchmark]
    public int FlakyFromHistory() => new RunHistory(_history).Flaky(_policy.FlakyWindow).Count;

    [Benchmark]
    public GateResult Gate() => ReleaseGate.Evaluate(_run, _baseline, _policy, _flaky);

    /// <summary>What <c>evalh gate</c> computes: flaky scenarios from history, then the gate.</summary>
    [Benchmark]
    public GateResult GateWithFlakyDetection() => ReleaseGate.Evaluate(_run, _baseline, _policy, new RunHistory(_history).Flaky(_policy.FlakyWindow));
}
