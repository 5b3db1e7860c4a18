namespace EvalHarness.Core.Results;

/// <summary>The headline numbers of a run. The cost is null when any case ran on a model without a price: never a false zero.</summary>
public sealed record RunSummary(
    int Cases,
    int Passed,
    int Failed,
    int Errors,
    double SuccessRate,
    long InputTokens,
    long OutputTokens,
    decimal? CostUsd,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double MeanSteps)
{
    /// <summary>The Wilson 95% interval of the success rate: lower bound.</summary>
    public double SuccessLow { get; init; }

    /// <summary>Its upper bound.</summary>
    public double SuccessHigh { get; init; }

    /// <summary>pass^k averaged over scenarios (k = the trials): how often a scenario passes every time.</summary>
    public double PassHatK { get; init; }

    /// <summary>
    /// Summarises cases. Latency and steps are over the cases that did not end in an error: a case whose cassette was
    /// missing took no time and made no step, and would flatter the run (0 when every case ended in an error).
    /// </summary>
    public static RunSummary Of(IReadOnlyList<CaseResult> cases)
    {
        var measured = cases.Where(c => c.Error is null).ToList();
        var latencies = measured.Select(c => c.LatencyMs).Order().ToArray();
        var (low, high) = Statistics.PassRates.Wilson(cases.Count, cases.Count(c => c.Passed));
        var perScenario = cases.GroupBy(c => (c.Variant, c.Scenario)).Select(g => Statistics.PassRates.PassHatK(g.Count(), g.Count(c => c.Passed), g.Count())).ToList();
        return new RunSummary(
            cases.Count,
            cases.Count(c => c.Passed),
            cases.Count(c => !c.Passed && c.Error is null),
            cases.Count(c => c.Error is not null),
            cases.Count == 0 ? 0 : Math.Round((double)cases.Count(c => c.Passed) / cases.Count, 4),
            cases.Sum(c => c.InputTokens),
            cases.Sum(c => c.OutputTokens),
            cases.Any(c => c.CostUsd is null && c.Error is null) ? null : cases.Sum(c => c.CostUsd ?? 0m),
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.95),
            measured.Count == 0 ? 0 : Math.Round(measured.Average(c => c.Steps), 2))
        {
            SuccessLow = Math.Round(low, 4),
            SuccessHigh = Math.Round(high, 4),
            PassHatK = perScenario.Count == 0 ? 0 : Math.Round(perScenario.Average(), 4),
        };
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
