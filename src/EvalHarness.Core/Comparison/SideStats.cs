using EvalHarness.Core.Results;

namespace EvalHarness.Core.Comparison;

/// <summary>The numbers of one side of a comparison, or of one scenario on one side. Steps, cost and latency leave out cases that ended in an error.</summary>
/// <param name="Cases">Cases counted.</param>
/// <param name="Passed">Cases that passed.</param>
/// <param name="MeanSteps">Model calls per case.</param>
/// <param name="MeanCostUsd">Cost per case, or null when a price is unknown.</param>
/// <param name="MeanLatencyMs">Latency per case.</param>
/// <param name="LatencyP95Ms">95th-percentile latency.</param>
public sealed record SideStats(int Cases, int Passed, double MeanSteps, decimal? MeanCostUsd, double MeanLatencyMs, double LatencyP95Ms)
{
    /// <summary>The cases steps, cost and latency are over: those that did not end in an error. With none, those figures are 0 and mean nothing.</summary>
    public int Measured { get; init; }

    /// <summary>The share of cases that passed (0 for none).</summary>
    public double SuccessRate => Cases == 0 ? 0 : (double)Passed / Cases;

    /// <summary>
    /// Summarises cases. Success counts every case; steps, cost and latency only <paramref name="measured"/>
    /// (by default the cases that did not end in an error: a case that could not run cost nothing and took no time,
    /// which would flatter its side).
    /// </summary>
    public static SideStats Of(IReadOnlyCollection<CaseResult> cases, IReadOnlyCollection<CaseResult>? measured = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        measured ??= [.. cases.Where(c => c.Error is null)];
        var passed = cases.Count(c => c.Passed);
        if (measured.Count == 0)
        {
            return new SideStats(cases.Count, passed, 0, 0, 0, 0); // Measured: 0
        }

        var latencies = measured.Select(c => c.LatencyMs).Order().ToArray();
        return new SideStats(
            cases.Count,
            passed,
            Math.Round(measured.Average(c => c.Steps), 2),
            measured.Any(c => c.CostUsd is null) ? null : Math.Round(measured.Sum(c => c.CostUsd ?? 0) / measured.Count, 8),
            Math.Round(latencies.Average(), 1),
            RunSummary.Percentile(latencies, 0.95))
        {
            Measured = measured.Count,
        };
    }
}
