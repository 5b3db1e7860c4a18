using System.Globalization;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;

namespace EvalHarness.Core.Load;

/// <summary>The figures of a load test, from its samples.</summary>
public sealed partial record LoadResult
{
    /// <summary>How many distinct error messages <see cref="LoadErrors.First"/> keeps.</summary>
    private const int ErrorsKept = 5;

    /// <summary>The figures of <paramref name="samples"/> (in iteration order) over <paramref name="elapsedMs"/> of wall-clock time.</summary>
    internal static LoadResult Of(
        Suite suite, LoadOptions options, DateTimeOffset startedAt, double elapsedMs, IReadOnlyList<LoadSample> samples,
        string agent, ProcessUsage? usage, bool interrupted)
    {
        var seconds = Math.Max(elapsedMs, 1) / 1000;
        var calls = samples.Sum(s => s.ModelCalls);
        var errors = samples.Where(s => s.Error is not null).ToList();
        return new LoadResult
        {
            Suite = suite.Name,
            SuiteFile = suite.FilePath,
            StartedAt = startedAt,
            Agent = agent,
            Concurrency = options.PeakConcurrency,
            Ramp = options.Ramp is { } ramp ? $"{ramp.From}:{ramp.To}" : null,
            IterationsPlanned = options.Iterations,
            DurationPlannedMs = options.Duration?.TotalMilliseconds,
            Warmup = options.Warmup,
            Iterations = samples.Count,
            Cases = samples.Select(s => s.Case).Distinct(StringComparer.Ordinal).Count(),
            DurationMs = Math.Round(elapsedMs, 1),
            Interrupted = interrupted
                ? string.Create(CultureInfo.InvariantCulture, $"Stopped by the user after {samples.Count} iteration(s){(options.Iterations is { } planned ? $" of {planned}" : string.Empty)}.")
                : null,
            Throughput = new LoadThroughput(Math.Round(samples.Count / seconds, 2), Math.Round(calls / seconds, 2)),
            Latency = Percentiles(samples.Select(s => s.LatencyMs)),
            RecordedModel = Percentiles(samples.Select(s => s.ModelMs)),
            Overhead = Percentiles(samples.Select(s => s.OverheadMs)),
            ModelCalls = calls,
            Errors = new LoadErrors(errors.Count, [.. errors.Select(e => e.Error!).Distinct(StringComparer.Ordinal).Take(ErrorsKept)]),
            Failures = samples.Count(s => s.Error is null && !s.Passed),
            Process = usage is { Processes: > 0 } u
                ? new LoadProcessUsage(u.Processes, Math.Round(u.Cpu.TotalMilliseconds, 1), Math.Round(u.Cpu.TotalMilliseconds / u.Processes, 1),
                    Math.Round(u.Cpu.TotalMilliseconds / Math.Max(elapsedMs, 1), 3), Math.Round(u.PeakWorkingSetBytes / (1024.0 * 1024), 1))
                : null,
            PerCase = [.. samples.GroupBy(s => s.Case, StringComparer.Ordinal).OrderBy(g => g.Min(s => s.Iteration)).Select(g =>
            {
                var latency = Sorted(g.Select(s => s.LatencyMs));
                return new LoadCaseFigures(g.Key, latency.Length, RunSummary.Percentile(latency, 0.50), RunSummary.Percentile(latency, 0.95),
                    RunSummary.Percentile(Sorted(g.Select(s => s.ModelMs)), 0.50), g.Count(s => s.Error is not null));
            })],
            Timeline = Seconds(samples, elapsedMs),
        };
    }

    private static List<LoadSecond> Seconds(IReadOnlyList<LoadSample> samples, double elapsedMs)
    {
        var bySecond = samples.ToLookup(s => (int)(s.EndMs / 1000));
        var last = Math.Max((int)(elapsedMs / 1000), samples.Count == 0 ? 0 : bySecond.Max(g => g.Key));
        var timeline = new List<LoadSecond>(last + 1);
        var concurrency = samples.Count == 0 ? 0 : samples[0].Concurrency;
        for (var second = 0; second <= last; second++)
        {
            var finished = bySecond[second].ToList();
            var latency = Sorted(finished.Select(s => s.LatencyMs));
            concurrency = finished.Count > 0 ? finished.MaxBy(s => s.StartMs).Concurrency : concurrency;
            timeline.Add(new LoadSecond(second, finished.Count, finished.Sum(s => s.ModelCalls),
                latency.Length == 0 ? null : RunSummary.Percentile(latency, 0.50),
                latency.Length == 0 ? null : RunSummary.Percentile(latency, 0.95),
                latency.Length == 0 ? null : Math.Round(RunSummary.Percentile(Sorted(finished.Select(s => s.OverheadMs)), 0.95), 1),
                concurrency));
        }

        return timeline;
    }

    private static LoadPercentiles Percentiles(IEnumerable<double> values)
    {
        var sorted = Sorted(values);
        return new LoadPercentiles(
            RunSummary.Percentile(sorted, 0.50), RunSummary.Percentile(sorted, 0.95), RunSummary.Percentile(sorted, 0.99),
            sorted.Length == 0 ? 0 : sorted[^1], sorted.Length == 0 ? 0 : Math.Round(sorted.Average(), 1));
    }

    private static double[] Sorted(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted;
    }
}
