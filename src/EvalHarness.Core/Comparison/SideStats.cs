using EvalHarness.Core.Results;

namespace EvalHarness.Core.Comparison;

/// <summary>The numbers of one side of a comparison, or of one scenario on one side.</summary>
/// <param name="Cases">Cases counted.</param>
/// <param name="Passed">Cases that passed.</param>
/// <param name="MeanSteps">Model calls per case.</param>
/// <param name="MeanCostUsd">Cost per case, or null when a price is unknown.</param>
/// <param name="MeanLatencyMs">Latency per case.</param>
/// <param name="LatencyP95Ms">95th-percentile latency.</param>
public sealed record SideStats(int Cases, int Passed, double MeanSteps, decimal? MeanCostUsd, double MeanLatencyMs, double LatencyP95Ms)
{
    /// <summary>The share of cases that passed (0 for none).</summary>
    public double SuccessRate => Cases == 0 ? 0 : (double)Passed / Cases;

    /// <summary>Summarises cases.</summary>
    public static SideStats Of(IReadOnlyCollection<CaseResult> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        if (cases.Count == 0)
        {
            return new SideStats(0, 0, 0, 0, 0, 0);
        }

        var latencies = cases.Select(c => c.LatencyMs).Order().ToArray();
        return new SideStats(
            cases.Count,
            cases.Count(c => c.Passed),
            Math.Round(cases.Average(c => c.Steps), 2),
            cases.Any(c => c.CostUsd is null && c.Error is null) ? null : Math.Round(cases.Sum(c => c.CostUsd ?? 0) / cases.Count, 8),
            Math.Round(latencies.Average(), 1),
            RunSummary.Percentile(latencies, 0.95));
    }
}
