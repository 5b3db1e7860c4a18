using EvalHarness.Core.Results;
using EvalHarness.Core.Statistics;

namespace EvalHarness.Core.Comparison;

/// <summary>Builds <see cref="RunComparison"/>s: two runs of a suite, or two variants of one run.</summary>
public static class Comparer
{
    /// <summary>The paired test's name.</summary>
    public const string McNemar = "McNemar exact";

    /// <summary>The unpaired test's name.</summary>
    public const string Fisher = "Fisher exact";

    /// <summary>
    /// Compares a run with a base run: scenarios are matched by variant and name, cases by variant, name and trial.
    /// <paramref name="flaky"/> holds the <c>variant/scenario</c> keys known to flip between runs. When the current run
    /// is a part of its suite (a shard, or narrowed with --filter or --variant), only the base's cases that it ran are
    /// compared: the others were not run, not removed.
    /// </summary>
    public static RunComparison Runs(RunResult @base, RunResult current, IReadOnlySet<string>? flaky = null)
    {
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(current);
        var baseCases = @base.Cases;
        if (current.Shard is not null || current.Selection is not null)
        {
            var ran = current.Cases.Select(c => (c.Variant, c.Scenario, c.Trial)).ToHashSet();
            baseCases = [.. baseCases.Where(c => ran.Contains((c.Variant, c.Scenario, c.Trial)))];
        }

        var comparison = Compare(@base.RunId, current.RunId, baseCases, current.Cases, c => $"{c.Variant}/{c.Scenario}", flaky);
        return comparison with
        {
            Deterministic = current.Mode == "replay" && comparison.Paired && current.Cases.All(c => c.Trial == 1) && baseCases.All(c => c.Trial == 1),
        };
    }

    /// <summary>Compares two variants of one run: scenarios are matched by name, cases by name and trial.</summary>
    /// <exception cref="ArgumentException">The run has no case of one of the variants; the message lists those it has.</exception>
    public static RunComparison Variants(RunResult run, string baseVariant, string currentVariant, IReadOnlySet<string>? flaky = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        List<CaseResult> Of(string variant)
        {
            var cases = run.Cases.Where(c => c.Variant == variant).ToList();
            return cases.Count > 0 ? cases
                : throw new ArgumentException($"The run {run.RunId} has no variant '{variant}'; it has {string.Join(", ", run.Cases.Select(c => c.Variant).Distinct())}.", nameof(run));
        }

        // Flakiness is known per variant; a scenario counts as flaky when it is under either variant.
        var flakyScenarios = flaky is null ? null : new HashSet<string>(
            flaky.Where(k => k.StartsWith(baseVariant + "/", StringComparison.Ordinal) || k.StartsWith(currentVariant + "/", StringComparison.Ordinal))
                .Select(k => k[(k.IndexOf('/', StringComparison.Ordinal) + 1)..]),
            StringComparer.Ordinal);
        return Compare(baseVariant, currentVariant, Of(baseVariant), Of(currentVariant), c => c.Scenario, flakyScenarios);
    }

    private static RunComparison Compare(
        string baseLabel, string currentLabel, IReadOnlyList<CaseResult> baseCases, IReadOnlyList<CaseResult> currentCases,
        Func<CaseResult, string> scenarioKey, IReadOnlySet<string>? flaky)
    {
        string CaseKey(CaseResult c) => $"{scenarioKey(c)}/t{c.Trial}";

        var baseByCase = new Dictionary<string, CaseResult>(StringComparer.Ordinal);
        foreach (var c in baseCases)
        {
            baseByCase.TryAdd(CaseKey(c), c);
        }

        var pairedBase = new List<CaseResult>();
        var pairedCurrent = new List<CaseResult>();
        foreach (var c in currentCases)
        {
            if (baseByCase.TryGetValue(CaseKey(c), out var b))
            {
                pairedBase.Add(b);
                pairedCurrent.Add(c);
            }
        }

        SuccessTest test;
        SideStats baseStats, currentStats;
        if (pairedCurrent.Count > 0)
        {
            var onlyBase = pairedBase.Zip(pairedCurrent).Count(p => p.First.Passed && !p.Second.Passed);
            var onlyCurrent = pairedBase.Zip(pairedCurrent).Count(p => !p.First.Passed && p.Second.Passed);
            test = new SuccessTest(McNemar, pairedCurrent.Count, onlyBase, onlyCurrent, Significance.McNemarExact(onlyBase, onlyCurrent));

            // Cost and latency compare the pairs where both cases ran: an error on either side is not a measurement.
            var ran = pairedBase.Zip(pairedCurrent).Where(p => p.First.Error is null && p.Second.Error is null).ToList();
            (baseStats, currentStats) = (SideStats.Of(pairedBase, [.. ran.Select(p => p.First)]), SideStats.Of(pairedCurrent, [.. ran.Select(p => p.Second)]));
        }
        else
        {
            (baseStats, currentStats) = (SideStats.Of(baseCases), SideStats.Of(currentCases));
            test = new SuccessTest(Fisher, baseStats.Cases + currentStats.Cases, 0, 0, Significance.FisherExact(
                baseStats.Passed, baseStats.Cases - baseStats.Passed, currentStats.Passed, currentStats.Cases - currentStats.Passed));
        }

        return new RunComparison(baseLabel, currentLabel, baseStats, currentStats, test, Scenarios(baseCases, currentCases, scenarioKey, flaky));
    }

    private static List<ScenarioComparison> Scenarios(
        IReadOnlyList<CaseResult> baseCases, IReadOnlyList<CaseResult> currentCases, Func<CaseResult, string> scenarioKey, IReadOnlySet<string>? flaky)
    {
        var baseGroups = Group(baseCases, scenarioKey);
        var currentGroups = Group(currentCases, scenarioKey);
        var rows = new List<ScenarioComparison>(currentGroups.Count + 8);
        foreach (var (key, cases) in currentGroups.Concat(baseGroups.Where(g => !currentGroups.ContainsKey(g.Key))))
        {
            var b = baseGroups.TryGetValue(key, out var bc) ? SideStats.Of(bc) : null;
            var c = currentGroups.TryGetValue(key, out var cc) ? SideStats.Of(cc) : null;
            var change = (b, c) switch
            {
                (null, _) => Change.New,
                (_, null) => Change.Removed,
                _ when c.SuccessRate < b.SuccessRate => Change.Regressed,
                _ when c.SuccessRate > b.SuccessRate => Change.Fixed,
                _ => Change.Same,
            };
            rows.Add(new ScenarioComparison(key, b, c, change, flaky?.Contains(key) == true, cases.Any(x => x.Critical)));
        }

        return rows;
    }

    /// <summary>Cases grouped by scenario, in first-seen order (a dictionary keeps insertion order while nothing is removed).</summary>
    private static Dictionary<string, List<CaseResult>> Group(IReadOnlyList<CaseResult> cases, Func<CaseResult, string> key)
    {
        var groups = new Dictionary<string, List<CaseResult>>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var k = key(c);
            if (!groups.TryGetValue(k, out var list))
            {
                groups[k] = list = [];
            }

            list.Add(c);
        }

        return groups;
    }
}
