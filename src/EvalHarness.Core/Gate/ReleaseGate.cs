using System.Globalization;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Results;

namespace EvalHarness.Core.Gate;

/// <summary>Judges a run against a <see cref="GatePolicy"/> and, where the policy compares, a baseline run.</summary>
public static class ReleaseGate
{
    /// <summary>Evaluates every rule of <paramref name="policy"/>.</summary>
    /// <param name="run">The run to gate.</param>
    /// <param name="baseline">The run to compare against, or null (rules that compare are then skipped).</param>
    /// <param name="policy">The thresholds.</param>
    /// <param name="flaky">Scenarios (<c>variant/scenario</c>) known to flip between runs; left out of the drop test.</param>
    /// <exception cref="ArgumentException">The policy names a variant the run does not have.</exception>
    public static GateResult Evaluate(RunResult run, RunResult? baseline, GatePolicy policy, IReadOnlySet<string>? flaky = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(policy);
        flaky ??= new HashSet<string>(StringComparer.Ordinal);
        var missing = policy.Variants.Where(v => run.Cases.All(c => c.Variant != v)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException(
                $"{policy.Source}: the policy gates the variant(s) {string.Join(", ", missing)}, but the run {run.RunId} has {string.Join(", ", run.Cases.Select(c => c.Variant).Distinct())}.",
                nameof(policy));
        }

        var cases = Gated(run.Cases, policy);
        var baseCases = baseline is null ? null : Gated(baseline.Cases, policy);
        var rules = new List<GateRule>();
        if (cases.Count == 0)
        {
            rules.Add(new GateRule("cases", GateStatus.Fail, "0", "≥ 1", "The run has no case to gate."));
        }

        if (policy.MinSuccessRate is { } min)
        {
            rules.Add(AtLeast("min_success_rate", cases, min));
        }

        foreach (var (tag, tagMin) in policy.MinSuccessRateByTag)
        {
            var tagged = cases.Where(c => c.Tags.Contains(tag)).ToList();
            rules.Add(tagged.Count == 0
                ? new GateRule($"min_success_rate[{tag}]", GateStatus.Fail, "no cases", $"≥ {Percent(tagMin)}", $"No gated case carries the tag '{tag}': check the tag's spelling in the policy.")
                : AtLeast($"min_success_rate[{tag}]", tagged, tagMin));
        }

        var comparison = baseCases is null ? null : Comparer.Runs(baseline! with { Cases = baseCases }, run with { Cases = cases }, flaky);
        if (policy.MaxSuccessDropPoints is { } maxDrop)
        {
            rules.Add(Drop(baseline, baseCases, run, cases, policy, flaky, maxDrop));
        }

        if (policy.CriticalMustPass)
        {
            var critical = cases.Where(c => c.Critical).ToList();
            var failed = critical.Where(c => !c.Passed).Select(c => c.CassetteId).ToList();
            rules.Add(new GateRule(
                "critical_must_pass",
                failed.Count == 0 ? GateStatus.Pass : GateStatus.Fail,
                $"{failed.Count} failed",
                "0 failed",
                critical.Count == 0 ? "No gated scenario is marked critical." : failed.Count == 0 ? $"All {critical.Count} critical case(s) passed." : $"Failed: {List(failed)}."));
        }
        else
        {
            rules.Add(new GateRule("critical_must_pass", GateStatus.Skipped, "off", "off", "Turned off by the policy (critical_must_pass: false)."));
        }

        if (policy.MaxCostIncreasePercent is { } maxCost)
        {
            rules.Add(Increase("max_cost_increase_pct", comparison, comparison?.CostChangePercent, maxCost,
                c => $"Cost per case {Money(c.Base.MeanCostUsd)} → {Money(c.Current.MeanCostUsd)}{Over(c)}.",
                "A model of the run or the baseline has no price, so the cost cannot be compared."));
        }

        if (policy.MaxP95LatencyIncreasePercent is { } maxLatency)
        {
            rules.Add(Increase("max_p95_latency_increase_pct", comparison, comparison?.LatencyP95ChangePercent, maxLatency,
                c => $"p95 latency {c.Base.LatencyP95Ms:0} ms → {c.Current.LatencyP95Ms:0} ms{Over(c)}.",
                "The baseline has no latency to compare with."));
        }

        if (policy.MaxUnknownToolRate is { } maxUnknown)
        {
            var calls = cases.Sum(c => c.ToolCallCount);
            var unknown = cases.Sum(c => c.Counters.GetValueOrDefault("unknown_tool_calls"));
            var rate = calls == 0 ? 0 : (double)unknown / calls;
            rules.Add(new GateRule("max_unknown_tool_rate", rate <= maxUnknown ? GateStatus.Pass : GateStatus.Fail, Percent(rate), $"≤ {Percent(maxUnknown)}",
                $"{unknown} of {calls} tool call(s) named a tool the agent does not have."));
        }

        if (policy.MaxErrorRate is { } maxErrors)
        {
            var errors = cases.Where(c => c.Error is not null).Select(c => c.CassetteId).ToList();
            var rate = cases.Count == 0 ? 0 : (double)errors.Count / cases.Count;
            rules.Add(new GateRule("max_error_rate", rate <= maxErrors ? GateStatus.Pass : GateStatus.Fail, Percent(rate), $"≤ {Percent(maxErrors)}",
                errors.Count == 0 ? "No case ended in an error." : $"{errors.Count} case(s) could not be evaluated: {List(errors)}."));
        }

        return new GateResult(rules.TrueForAll(r => r.Status != GateStatus.Fail), run.RunId, policy.Source, baseline?.RunId, rules)
        {
            Regressed = comparison is null ? [] : [.. comparison.With(Change.Regressed).Where(s => !s.Flaky).Select(s => s.Key)],
            Flaky = [.. cases.Select(c => $"{c.Variant}/{c.Scenario}").Distinct().Where(flaky.Contains)],
        };
    }

    private static List<CaseResult> Gated(IReadOnlyList<CaseResult> cases, GatePolicy policy) =>
        policy.Variants.Count == 0 ? [.. cases] : [.. cases.Where(c => policy.Variants.Contains(c.Variant))];

    private static GateRule AtLeast(string rule, List<CaseResult> cases, double min)
    {
        var passed = cases.Count(c => c.Passed);
        var rate = cases.Count == 0 ? 0 : (double)passed / cases.Count;
        return new GateRule(rule, rate >= min - 1e-9 ? GateStatus.Pass : GateStatus.Fail, Percent(rate), $"≥ {Percent(min)}", $"{passed} of {cases.Count} case(s) passed.");
    }

    private static GateRule Drop(RunResult? baseline, List<CaseResult>? baseCases, RunResult run, List<CaseResult> cases, GatePolicy policy, IReadOnlySet<string> flaky, double maxDrop)
    {
        const string Rule = "max_success_drop_points";
        var threshold = $"≤ {maxDrop.ToString("0.#", CultureInfo.InvariantCulture)} pts (α = {policy.Alpha.ToString("0.###", CultureInfo.InvariantCulture)})";
        if (baseline is null || baseCases is null)
        {
            return new GateRule(Rule, GateStatus.Skipped, "n/a", threshold, "No baseline: bless one with `evalh baseline bless <run>` or pass --baseline.");
        }

        // Flaky scenarios are left out: their flips are noise, not a change the release made.
        bool Steady(CaseResult c) => !flaky.Contains($"{c.Variant}/{c.Scenario}");
        var steadyBase = baseCases.Where(Steady).ToList();
        var steadyCurrent = cases.Where(Steady).ToList();
        var comparison = Comparer.Runs(baseline with { Cases = steadyBase }, run with { Cases = steadyCurrent });
        var drop = Math.Max(0, -comparison.SuccessDeltaPoints);
        var left = cases.Count - steadyCurrent.Count;
        var flakyNote = left > 0 ? $"; {left} case(s) of flaky scenarios left out" : string.Empty;
        var rates = $"{Percent(comparison.Base.SuccessRate)} → {Percent(comparison.Current.SuccessRate)} over {comparison.Current.Cases} {(comparison.Paired ? "paired " : string.Empty)}case(s)";
        var within = drop <= maxDrop + 1e-9;
        // A case that ended in an error (a cassette miss, a time-out) was not judged: it counts as not passed, and the
        // detail says so, so that a missing cassette does not read as the agent getting worse.
        var passedBefore = steadyBase.Where(c => c.Passed).Select(c => c.CassetteId).ToHashSet(StringComparer.Ordinal);
        var erred = drop > 0 ? steadyCurrent.Count(c => c.Error is not null && passedBefore.Contains(c.CassetteId)) : 0;
        var errorNote = erred > 0 ? $" ({erred} of them ended in an error: not judged, see max_error_rate)" : string.Empty;
        if (comparison.Deterministic)
        {
            // A replay answers every request from the same cassettes: a case that passed in the baseline and fails now
            // failed because of the change, so the drop counts whatever a significance test would say of its size.
            var regressed = comparison.Test.OnlyBasePassed;
            var why = $"{rates}; a replay of single trials gives the same answers every time, so every drop counts (no significance test)";
            return new GateRule(Rule, comparison.DropCounts(policy.Alpha, maxDrop) ? GateStatus.Fail : GateStatus.Pass, $"{drop.ToString("0.#", CultureInfo.InvariantCulture)} pts", threshold,
                why + (regressed > 0 ? $": {regressed} case(s) that passed in the baseline fail now{errorNote}{(within ? ", within the drop the policy allows" : string.Empty)}" : string.Empty) + flakyNote + ".");
        }

        var significant = comparison.Test.IsSignificant(policy.Alpha);
        var detail = $"{rates}; {comparison.Test.Method} p = {comparison.Test.PValue.ToString("0.####", CultureInfo.InvariantCulture)}"
            + (drop > 0 && !significant ? $", not significant at α = {policy.Alpha.ToString("0.###", CultureInfo.InvariantCulture)}: treated as noise ({Sampling(run)})" : string.Empty)
            + (erred > 0 ? $"; {erred} case(s) that passed in the baseline ended in an error: not judged (see max_error_rate)" : string.Empty)
            + flakyNote + ".";
        return new GateRule(Rule, comparison.DropCounts(policy.Alpha, maxDrop) ? GateStatus.Fail : GateStatus.Pass, $"{drop.ToString("0.#", CultureInfo.InvariantCulture)} pts", threshold, detail);
    }

    private static string Sampling(RunResult run) =>
        run.Mode != "replay" ? "a recording samples the model, so a drop must be significant to count" : "several trials sample the model's recordings, so a drop must be significant to count";

    private static GateRule Increase(string rule, RunComparison? comparison, double? change, double max, Func<RunComparison, string> detail, string unmeasurable)
    {
        var threshold = $"≤ +{max.ToString("0.#", CultureInfo.InvariantCulture)}%";
        return comparison is null ? new GateRule(rule, GateStatus.Skipped, "n/a", threshold, "No baseline: bless one with `evalh baseline bless <run>` or pass --baseline.")
            : !comparison.Measured ? new GateRule(rule, GateStatus.Skipped, "n/a", threshold, "No case ran without an error on both sides: there is nothing to compare (see max_error_rate).")
            : change is not { } value ? new GateRule(rule, GateStatus.Skipped, "n/a", threshold, unmeasurable)
            : new GateRule(rule, value <= max + 1e-9 ? GateStatus.Pass : GateStatus.Fail, $"{(value >= 0 ? "+" : string.Empty)}{value.ToString("0.#", CultureInfo.InvariantCulture)}%", threshold, detail(comparison));
    }

    /// <summary>The cases a cost or latency change is over: those that ran on both sides, and how many were left out.</summary>
    private static string Over(RunComparison c) =>
        $" over {c.Current.Measured} {(c.Paired ? "paired " : string.Empty)}case(s)"
        + (c.Current.Measured < c.Current.Cases ? $" ({c.Current.Cases - c.Current.Measured} left out: they ended in an error{(c.Paired ? " on either side" : string.Empty)})" : string.Empty);

    private static string List(List<string> ids) => ids.Count <= 5 ? string.Join(", ", ids) : $"{string.Join(", ", ids.Take(5))} and {ids.Count - 5} more";

    private static string Percent(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Money(decimal? usd) => usd is { } v ? v.ToString("$0.######", CultureInfo.InvariantCulture) : "n/a";
}
