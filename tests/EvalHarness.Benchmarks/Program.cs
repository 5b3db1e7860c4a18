using BenchmarkDotNet.Running;
using EvalHarness.Benchmarks;
using EvalHarness.Reports;
using EvalHarness.Reports.Html;

// dotnet run -c Release --project tests/EvalHarness.Benchmarks -- --filter '*'                  every benchmark
// dotnet run -c Release --project tests/EvalHarness.Benchmarks -- --filter '*Report*'           the report ones
// dotnet run -c Release --project tests/EvalHarness.Benchmarks -- write-report 10000 /tmp/big.html   a synthetic report to open by hand
// dotnet run -c Release --project tests/EvalHarness.Benchmarks -- scale [1000 200 | growth]       the scale run (docs/performance.md)
// dotnet run -c Release --project tests/EvalHarness.Benchmarks -- versus-promptfoo [--cases 1000]  side by side with promptfoo (docs/performance.md)
if (args is ["scale", .. var rest])
{
    return await EvalHarness.Benchmarks.Scale.ScaleRun.MainAsync(rest);
}

if (args is ["versus-promptfoo", .. var versus])
{
    return await EvalHarness.Benchmarks.Versus.VersusPromptfoo.MainAsync(versus);
}

if (args is ["write-report", ..] and not ["write-report", _, _] || args is ["write-report", var notANumber, _] && !int.TryParse(notANumber, System.Globalization.CultureInfo.InvariantCulture, out _))
{
    await Console.Error.WriteLineAsync("usage: write-report <cases> <file.html>   e.g. write-report 10000 /tmp/big.html");
    return 2;
}

if (args is ["write-report", var count, var path])
{
    var run = SyntheticRuns.Run(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
    var baseline = SyntheticRuns.Run(run.Cases.Count, "20261121-090000-bench-baseline", seed: 2);
    await File.WriteAllTextAsync(path, HtmlReportWriter.Render(ReportContext.Create(run, baseline, gate: null, SyntheticRuns.History(run))));
    Console.WriteLine($"Wrote {Path.GetFullPath(path)} ({new FileInfo(path).Length / 1024 / 1024} MB).");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
