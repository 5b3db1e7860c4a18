using BenchmarkDotNet.Attributes;
using EvalHarness.Reports.History;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Reading a suite's history back for a report (the last 30 runs and the out-of-order margin) from a history of 30
/// or 365 runs of 1,000 cases (a year of nightly runs: 365,000 rows, 40 MB), against reading the whole file.
/// </summary>
[MemoryDiagnoser]
public class HistoryBenchmarks
{
    private string _path = null!;

    [Params(30, 365)]
    public int Runs { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"evalh-bench-history-{Guid.NewGuid():N}.csv");
        var run = SyntheticRuns.Run(1_000);
        for (var r = 0; r < Runs; r++)
        {
            await HistoryFile.AppendAsync(_path, run with { RunId = $"2026{r:0000}-000000-bench-{r:x6}", StartedAt = run.StartedAt.AddDays(r - Runs) });
        }
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    /// <summary>What a report reads: the last runs its trend and flaky detection look at.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> LastRuns() => (await HistoryFile.ReadAsync(_path, "bench", DateTimeOffset.MaxValue, RunHistory.TrendRuns)).Count;

    /// <summary>The whole file, as every report read it before.</summary>
    [Benchmark]
    public async Task<int> WholeFile() => (await HistoryFile.ReadAsync(_path, "bench", DateTimeOffset.MaxValue)).Count;
}
