using System.Text.Json.Serialization;

namespace EvalHarness.Core.Load;

/// <summary>What a load test measured: written as <c>load.json</c>. Times in milliseconds, wall clock unless named recorded.</summary>
public sealed partial record LoadResult
{
    /// <summary>How <c>load.json</c> is written and read: camelCase, indented, nulls skipped, text unescaped.</summary>
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<LoadResult> JsonTypeInfo => LoadJsonContext.Relaxed.LoadResult;

    /// <summary>The suite's name.</summary>
    public required string Suite { get; init; }

    /// <summary>The suite file.</summary>
    public required string SuiteFile { get; init; }

    /// <summary>When the test started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The agent under test: <c>built-in runtime</c>, or an own agent's description.</summary>
    public required string Agent { get; init; }

    /// <summary>How many iterations ran at once (the top of the ramp).</summary>
    public required int Concurrency { get; init; }

    /// <summary>The ramp, <c>from:to</c>, when the load rose over the test.</summary>
    public string? Ramp { get; init; }

    /// <summary>The iterations asked for (<c>--iterations</c>), or null for a test by duration.</summary>
    public int? IterationsPlanned { get; init; }

    /// <summary>The duration asked for in ms (<c>--duration</c>), or null for a test by iterations.</summary>
    public double? DurationPlannedMs { get; init; }

    /// <summary>Iterations run before the test and left out of its figures (<c>--warmup</c>).</summary>
    public int Warmup { get; init; }

    /// <summary>The iterations that finished.</summary>
    public required int Iterations { get; init; }

    /// <summary>How many distinct cases they replayed, round-robin.</summary>
    public required int Cases { get; init; }

    /// <summary>The test's wall-clock time, first start to last finish.</summary>
    public required double DurationMs { get; init; }

    /// <summary>Why the test stopped early (Ctrl+C), or null.</summary>
    public string? Interrupted { get; init; }

    /// <summary>Cases and model calls finished per second.</summary>
    public required LoadThroughput Throughput { get; init; }

    /// <summary>Each iteration's wall-clock latency, start to scored.</summary>
    public required LoadPercentiles Latency { get; init; }

    /// <summary>The recorded model time each iteration was served (what the cassettes' timings made it wait).</summary>
    public required LoadPercentiles RecordedModel { get; init; }

    /// <summary>The harness's own time (and the agent's outside model calls): latency less recorded model time.</summary>
    public required LoadPercentiles Overhead { get; init; }

    /// <summary>Model calls answered from the cassettes, in all.</summary>
    public required int ModelCalls { get; init; }

    /// <summary>Iterations that could not be judged.</summary>
    public required LoadErrors Errors { get; init; }

    /// <summary>Iterations whose case failed its assertions (and had no error).</summary>
    public required int Failures { get; init; }

    /// <summary>The agent process's CPU and memory, for a process agent; null for an agent in the harness's own process.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public LoadProcessUsage? Process { get; init; }

    /// <summary>Each case's share of the iterations, in the suite's order.</summary>
    public required IReadOnlyList<LoadCaseFigures> PerCase { get; init; }

    /// <summary>Second by second, by when iterations finished: the chart's data.</summary>
    public required IReadOnlyList<LoadSecond> Timeline { get; init; }
}

/// <summary>Throughput over the test's wall-clock time.</summary>
public sealed record LoadThroughput(double CasesPerSecond, double ModelCallsPerSecond);

/// <summary>Nearest-rank percentiles of one measure over the iterations.</summary>
public sealed record LoadPercentiles(double P50, double P95, double P99, double Max, double Mean);

/// <summary>How many iterations erred, and the first few distinct messages.</summary>
public sealed record LoadErrors(int Count, IReadOnlyList<string> First);

/// <summary>The agent processes' CPU time and memory.</summary>
/// <param name="Processes">How many processes ran (one per iteration).</param>
/// <param name="CpuMs">Their CPU time (user and system) summed.</param>
/// <param name="CpuMsPerIteration">The mean CPU time of one.</param>
/// <param name="CpuCores">Their CPU time over the test's wall-clock time: the cores they kept busy on average.</param>
/// <param name="PeakMemoryMb">The largest peak working set of one process, in MB.</param>
public sealed record LoadProcessUsage(int Processes, double CpuMs, double CpuMsPerIteration, double CpuCores, double PeakMemoryMb);

/// <summary>One case's iterations.</summary>
/// <param name="Case">The case: <c>variant/scenario/tN</c>.</param>
/// <param name="Count">Iterations that replayed it.</param>
/// <param name="P50">Median wall-clock latency.</param>
/// <param name="P95">95th-percentile wall-clock latency.</param>
/// <param name="RecordedMs">Its recorded model time (the median, should iterations differ).</param>
/// <param name="Errors">Iterations of it that erred.</param>
public sealed record LoadCaseFigures(string Case, int Count, double P50, double P95, double RecordedMs, int Errors);

/// <summary>The iterations that finished in one second of the test.</summary>
/// <param name="Second">The second, from 0.</param>
/// <param name="Completed">Iterations finished in it: the cases per second.</param>
/// <param name="ModelCalls">Their model calls.</param>
/// <param name="LatencyP50">Their median latency, or null when none finished.</param>
/// <param name="LatencyP95">Their 95th-percentile latency, or null when none finished.</param>
/// <param name="OverheadP95">Their 95th-percentile harness overhead, or null when none finished.</param>
/// <param name="Concurrency">The iterations meant to run at once when the last of them started.</param>
public sealed record LoadSecond(int Second, int Completed, int ModelCalls, double? LatencyP50, double? LatencyP95, double? OverheadP95, int Concurrency);
