namespace EvalHarness.Core.Load;

/// <summary>One iteration of a load test: one case replayed with its recorded timing.</summary>
/// <param name="Iteration">Its number, from 0, in the order the iterations started.</param>
/// <param name="Case">The case it replayed: <c>variant/scenario/tN</c>.</param>
/// <param name="StartMs">When it started, from the start of the test.</param>
/// <param name="LatencyMs">Its wall-clock time, start to scored.</param>
/// <param name="ModelMs">The recorded latency of the model calls it was served (what the cassette server waited out).</param>
/// <param name="ModelCalls">How many model calls were answered from its cassettes (the judge's included).</param>
/// <param name="Concurrency">How many iterations were meant to run at once when it started.</param>
/// <param name="Passed">Whether the case passed its assertions.</param>
/// <param name="Error">Why the case could not be judged (a request that missed its cassette, the agent's error), or null.</param>
internal readonly record struct LoadSample(
    int Iteration, string Case, double StartMs, double LatencyMs, double ModelMs, int ModelCalls, int Concurrency, bool Passed, string? Error)
{
    /// <summary>The harness's (and the agent's own) time: the wall-clock latency less the recorded model time.</summary>
    public double OverheadMs => Math.Round(Math.Max(0, LatencyMs - ModelMs), 1);

    /// <summary>When it finished, from the start of the test.</summary>
    public double EndMs => StartMs + LatencyMs;
}
