using System.Globalization;
using System.Text.Json;
using EvalHarness.Core.Load;
using EvalHarness.Reports.Charts;

namespace EvalHarness.Reports.Load;

/// <summary>Writes a load test's folder: <c>load.json</c> (every figure), <c>load.md</c> (a summary) and the chart <c>load.png</c>/<c>load.svg</c>.</summary>
public static class LoadWriter
{
    /// <summary>The figures' file name.</summary>
    public const string FileName = "load.json";

    /// <summary>
    /// The folder a load test writes to when none is given: <c>&lt;reports&gt;/runs/&lt;time&gt;-&lt;suite&gt;-load-&lt;random&gt;</c>,
    /// beside the runs (it holds no results.json, so <c>latest</c> never picks it).
    /// </summary>
    public static string DefaultFolder(string reportsDirectory, string suite, DateTimeOffset startedAt) =>
        Path.Combine(reportsDirectory, "runs", string.Create(CultureInfo.InvariantCulture, $"{startedAt:yyyyMMdd-HHmmss}-{suite}-load-{Guid.NewGuid().ToString("N")[..6]}"));

    /// <summary>Writes the folder; each file whole or not at all. Returns the path of <c>load.json</c>.</summary>
    public static async Task<string> WriteAsync(LoadResult load, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(load);
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, FileName);
        await AtomicFile.WriteAsync(json, stream => JsonSerializer.SerializeAsync(stream, load, LoadResult.JsonTypeInfo, cancellationToken), cancellationToken);
        await AtomicFile.WriteTextAsync(Path.Combine(directory, "load.md"), writer => Markdown(load, writer), cancellationToken);
        await LoadCharts.WriteAsync(load, directory, cancellationToken);
        return json;
    }

    /// <summary>The rows of the figures table, as the console and <c>load.md</c> show them.</summary>
    public static IReadOnlyList<(string Figure, string Value)> Figures(LoadResult load)
    {
        ArgumentNullException.ThrowIfNull(load);
        static string Spread(LoadPercentiles p) => $"p50 {Format.Ms(p.P50)} · p95 {Format.Ms(p.P95)} · p99 {Format.Ms(p.P99)} · max {Format.Ms(p.Max)}";
        List<(string, string)> rows =
        [
            ("iterations", $"{load.Iterations} over the suite's {load.Cases} case(s), {load.Concurrency} at once{(load.Ramp is { } r ? $" (ramp {r})" : string.Empty)}, in {Format.Ms(load.DurationMs)}{(load.Warmup > 0 ? $", after {load.Warmup} warm-up" : string.Empty)}"),
            ("throughput", $"{Format.Number(load.Throughput.CasesPerSecond)} cases/s · {Format.Number(load.Throughput.ModelCallsPerSecond)} model calls/s ({load.ModelCalls} calls)"),
            ("latency per case", Spread(load.Latency)),
            ("recorded model time", $"p50 {Format.Ms(load.RecordedModel.P50)} · p95 {Format.Ms(load.RecordedModel.P95)}"),
            ("harness overhead", Spread(load.Overhead)),
            ("errors", load.Errors.Count == 0 ? "0" : $"{load.Errors.Count}: {load.Errors.First[0].Split('\n')[0].TrimEnd()}"),
            ("failures", load.Failures.ToString(CultureInfo.InvariantCulture)),
        ];
        if (load.Process is { } p)
        {
            rows.Add(("agent process", $"{p.Processes} process(es): CPU {Format.Ms(p.CpuMs)} in all, {Format.Ms(p.CpuMsPerIteration)} each ({Format.Number(p.CpuCores)} cores busy); peak memory {Format.Number(p.PeakMemoryMb, "0.#")} MB"));
        }

        return rows;
    }

    private static void Markdown(LoadResult load, TextWriter md)
    {
        md.WriteLine($"# Load test: {load.Suite}");
        md.WriteLine();
        md.WriteLine($"Agent: {Format.MarkdownCell(load.Agent)}. Started {load.StartedAt.ToString("u", CultureInfo.InvariantCulture)}.{(load.Interrupted is { } why ? $" **{why}**" : string.Empty)}");
        md.WriteLine();
        md.WriteLine("| figure | value |");
        md.WriteLine("|---|---|");
        foreach (var (figure, value) in Figures(load))
        {
            md.WriteLine($"| {figure} | {Format.MarkdownCell(value)} |");
        }

        md.WriteLine();
        md.WriteLine("![Latency and throughput over time](load.png)");
        md.WriteLine();
        md.WriteLine("| case | iterations | p50 | p95 | recorded | errors |");
        md.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var c in load.PerCase)
        {
            md.WriteLine($"| {Format.MarkdownCell(c.Case)} | {c.Count} | {Format.Ms(c.P50)} | {Format.Ms(c.P95)} | {Format.Ms(c.RecordedMs)} | {c.Errors} |");
        }
    }
}
