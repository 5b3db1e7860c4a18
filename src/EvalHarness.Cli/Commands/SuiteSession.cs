using EvalHarness.Core.Application;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using EvalHarness.Reports;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>run</c> and <c>record</c> on the console: the one path of <see cref="SuiteEvaluation"/>, with a progress display
/// while the cases run and the summary after.
/// </summary>
internal static class SuiteSession
{
    public static async Task<int> RunAsync(IAnsiConsole console, TextWriter error, string suitePath, EvaluationOptions options, CancellationToken cancellationToken)
    {
        var publisher = new ReportPublisher();
        SuiteEvaluationResult result;
        try
        {
            await using var evaluation = await SuiteEvaluation.OpenAsync(suitePath, options, publisher, cancellationToken);
            ProcessStats.Mark("suiteLoaded");
            var run = await RunWithProgressAsync(console, evaluation, cancellationToken);
            ProcessStats.Mark("casesRun");
            result = await evaluation.PublishAsync(run, CancellationToken.None);
            ProcessStats.Mark("reportsWritten");
        }
        catch (Exception ex) when (InputErrors.IsInput(ex))
        {
            await error.WriteLineAsync($"error: {InputErrors.Message(ex)}");
            return ExitCodes.InputError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled; no report was written.");
            return ExitCodes.InputError;
        }

        var context = publisher.Context!;
        SummaryPrinter.Print(console, context, Path.Combine(result.ReportDirectory!, "report.html"));
        await ReportPipeline.AppendStepSummaryAsync(context, CancellationToken.None);
        if (context.Gate is not null && ExitCodes.For(result.Run) == ExitCodes.InputError)
        {
            // The gate's verdict is shown, but a case that could not be judged is the exit code's first concern.
            var why = result.Run.Interrupted is not null ? "the run was stopped before it finished" : $"{result.Run.Summary.Errors} case(s) ended in an error and could not be judged (see above)";
            console.MarkupLineInvariant($"[yellow]Exit code 2, not the gate's: {why}. Fix that and run again.[/]");
        }

        return result.ExitCode;
    }

    /// <summary>Runs the cases: a live progress bar on a terminal, with the failures so far in its label; a line every tenth of the cases in a log.</summary>
    private static async Task<RunResult> RunWithProgressAsync(IAnsiConsole console, SuiteEvaluation evaluation, CancellationToken cancellationToken)
    {
        var (suite, options, total) = (evaluation.Plan.Suite, evaluation.RunOptions, evaluation.Plan.Cases);
        var progressLock = new Lock();
        console.MarkupLineInvariant($"[bold]{Markup.Escape(suite.Name)}[/]: {total} case(s), {(evaluation.Plan.Records ? "recording" : "replaying")} with cassettes in {Markup.Escape(Path.GetFullPath(options.CassetteDirectory))}");
        console.MarkupLineInvariant($"[grey]{Markup.Escape(AtOnce(suite, options))}[/]");
        if (console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            var failed = 0;
            return await console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask($"{Markup.Escape(suite.Name)}", maxValue: total);
                    return await evaluation.RunAsync(c =>
                    {
                        lock (progressLock)
                        {
                            failed += c.Passed ? 0 : 1;
                            task.Description = failed == 0 ? Markup.Escape(suite.Name) : $"{Markup.Escape(suite.Name)} [red]{failed} failed[/]";
                            task.Increment(1);
                        }
                    }, cancellationToken);
                });
        }

        var done = 0;
        return await evaluation.RunAsync(c =>
        {
            lock (progressLock)
            {
                if (++done % Math.Max(1, total / 10) == 0 || done == total)
                {
                    console.MarkupLineInvariant($"[grey]  {done}/{total} done[/]");
                }
            }
        }, cancellationToken);
    }

    /// <summary>How many cases run at once, and why: the CPU's share for a replay, an adaptive limit per provider when recording live.</summary>
    internal static string AtOnce(Suite suite, RunOptions options) => options.ReachesLiveProvider
        ? $"Up to {string.Join(", ", suite.Variants.Select(v => v.Agent.Model.Provider).Distinct().Select(p => $"{options.ConcurrencyFor(p)} {p}"))} case(s) at once, "
            + "waiting on a live provider: fewer while it answers 429 or asks to retry later, more again as answers come (--concurrency, cassettes.record_concurrency)."
        : $"Up to {options.Concurrency} case(s) at once (--concurrency).";
}
