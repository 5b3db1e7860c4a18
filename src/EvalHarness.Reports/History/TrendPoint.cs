namespace EvalHarness.Reports.History;

/// <summary>One variant's numbers in one past run: a point of the report's trend charts.</summary>
/// <param name="RunId">The run.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Variant">The variant.</param>
/// <param name="Cases">Its cases in that run.</param>
/// <param name="SuccessRate">The share that passed.</param>
/// <param name="CostPerCase">Cost per case of the cases that did not end in an error, or null when unpriced or none did.</param>
/// <param name="LatencyP95Ms">95th-percentile latency of the cases that did not end in an error; NaN when none did.</param>
public sealed record TrendPoint(string RunId, DateTimeOffset StartedAt, string Variant, int Cases, double SuccessRate, decimal? CostPerCase, double LatencyP95Ms);
