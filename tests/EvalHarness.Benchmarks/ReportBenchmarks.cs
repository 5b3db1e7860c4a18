using BenchmarkDotNet.Attributes;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.History;
using EvalHarness.Reports.Html;
using EvalHarness.Reports.Junit;
using EvalHarness.Reports.Markdown;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Writing a run's reports at 1,000 and 10,000 cases, with a baseline and thirty runs of history. The baseline
/// benchmark serialises results.json, the file every report is built from.
/// </summary>
[MemoryDiagnoser]
public class ReportBenchmarks
{
    private RunResult _run = null!;
    private ReportContext _context = null!;

    [Params(1_000, 10_000)]
    public int Cases { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _run = SyntheticRuns.Run(Cases);
        var baseline = SyntheticRuns.Run(Cases, "20261121-090000-bench-baseline", seed: 2);
        _context = ReportContext.Create(_run, baseline, gate: null, SyntheticRuns.History(_run));
    }

    [Benchmark(Baseline = true)]
    public async Task<long> ResultsJson()
    {
        var path = Path.Combine(Path.GetTempPath(), $"evalh-bench-{Guid.NewGuid():N}.json");
        await EvalHarness.Reports.Json.ResultsJson.WriteAsync(_run, path);
        var length = new FileInfo(path).Length;
        File.Delete(path);
        return length;
    }

    [Benchmark]
    public int Html() => HtmlReportWriter.Render(_context).Length;

    [Benchmark]
    public int Markdown() => SummaryMarkdown.Render(_context).Length;

    [Benchmark]
    public int Junit() => JunitXml.Render(_run).Length;

    [Benchmark]
    public int Context() => ReportContext.Create(_run, _context.Baseline, gate: null, SyntheticRuns.History(_run)).Trend.Count;

    /// <summary>Every file of a run folder, as <c>evalh run</c> writes them.</summary>
    [Benchmark]
    public async Task<int> WholeRunFolder()
    {
        var reports = Path.Combine(Path.GetTempPath(), $"evalh-bench-{Guid.NewGuid():N}");
        var directory = await RunWriter.WriteAsync(_context, reports);
        var files = Directory.GetFiles(directory).Length;
        Directory.Delete(reports, recursive: true);
        return files;
    }

    /// <summary>Reading a history of 30 runs back, as every report does.</summary>
    [Benchmark]
    public async Task<int> HistoryRead()
    {
        var path = Path.Combine(Path.GetTempPath(), $"evalh-bench-{Guid.NewGuid():N}.csv");
        await HistoryFile.AppendAsync(path, _run);
        var rows = await HistoryFile.ReadAsync(path, _run.Suite, DateTimeOffset.MaxValue);
        File.Delete(path);
        return rows.Count;
    }
}
