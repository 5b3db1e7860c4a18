using EvalHarness.Cassettes.Format;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using EvalHarness.Reports;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>What <c>run</c> and <c>record</c> share: load the suite, run it, write the reports, print the summary, pick the exit code.</summary>
internal static class SuiteSession
{
    public static async Task<int> RunAsync(
        IAnsiConsole console, TextWriter error, string suitePath, SuiteLoadOptions load, string reportsDirectory, ReportChoices choices, Func<Suite, Task<RunOptions>> configure, CancellationToken cancellationToken)
    {
        RunResult run;
        GatePolicy? policy;

        // In a large run, each case's transcript, tool calls and trace wait on disk until the reports read them back
        // (the spool's file is made with its first case: a smaller run keeps its cases in memory).
        using var spool = new CaseSpool();
        try
        {
            // The policy is read first: a mistake in it should not cost a whole run.
            policy = choices.Policy is null ? null : GatePolicyLoader.Load(choices.Policy);
            if (choices.Baseline is not null)
            {
                RunLocator.Resolve(choices.Baseline, reportsDirectory);
            }

            var suite = SuiteLoader.Load(suitePath, load);
            var options = await configure(suite);
            var total = EvalRunner.Expand(suite).Count(options.Selects);
            options = options with { Spool = total > CaseSpool.InMemoryUpTo ? spool : null };
            ProcessStats.Mark("suiteLoaded");
            if (policy?.Variants.FirstOrDefault(v => suite.Variants.All(x => x.Name != v) || (options.Variants.Count > 0 && !options.Variants.Contains(v))) is { } missing)
            {
                throw new SuiteException(policy.Source, 0, 0, $"the policy gates the variant '{missing}', which this run does not run (variants: {string.Join(", ", suite.Variants.Select(x => x.Name).Where(v => options.Variants.Count == 0 || options.Variants.Contains(v)))}).");
            }

            if (options.Mode == Cassettes.Server.RecordMode.None && !Directory.Exists(options.CassetteDirectory))
            {
                throw new SuiteException(options.CassetteDirectory, 0, 0,
                    $"the cassette folder does not exist (looked in {Path.GetFullPath(options.CassetteDirectory)}). Run from the folder that holds it, pass --cassettes, set the suite's cassettes.dir, or record first with `evalh record`.");
            }

            var done = 0;
            var progressLock = new Lock();
            console.MarkupLineInvariant($"[bold]{Markup.Escape(suite.Name)}[/]: {total} case(s), {(options.Mode == Cassettes.Server.RecordMode.None ? "replaying" : "recording")} with cassettes in {Markup.Escape(Path.GetFullPath(options.CassetteDirectory))}");
            console.MarkupLineInvariant($"[grey]{Markup.Escape(AtOnce(suite, options))}[/]");
            if (console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            {
                // A terminal: a live progress bar, with the failures so far in its label.
                var failed = 0;
                run = await console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask($"{Markup.Escape(suite.Name)}", maxValue: total);
                        return await EvalRunner.RunAsync(suite, options with
                        {
                            OnCaseCompleted = c =>
                            {
                                lock (progressLock)
                                {
                                    failed += c.Passed ? 0 : 1;
                                    task.Description = failed == 0 ? Markup.Escape(suite.Name) : $"{Markup.Escape(suite.Name)} [red]{failed} failed[/]";
                                    task.Increment(1);
                                }
                            },
                        }, cancellationToken);
                    });
            }
            else
            {
                // A log: a line every tenth of the cases.
                run = await EvalRunner.RunAsync(suite, options with
                {
                    OnCaseCompleted = c =>
                    {
                        lock (progressLock)
                        {
                            if (++done % Math.Max(1, total / 10) == 0 || done == total)
                            {
                                console.MarkupLineInvariant($"[grey]  {done}/{total} done[/]");
                            }
                        }
                    },
                }, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SuiteException or FileNotFoundException)
        {
            await error.WriteLineAsync($"error: {InputErrors.Message(ex)}");
            return ExitCodes.InputError;
        }
        catch (TraceExportException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.InputError;
        }
        catch (CassetteFormatException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.InputError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled; no report was written.");
            return ExitCodes.InputError;
        }

        ProcessStats.Mark("casesRun");

        // From here on the run is finished: whatever happens, its results are written.
        await ReportPipeline.AppendHistoryAsync(run, reportsDirectory, CancellationToken.None);
        ReportContext context;
        try
        {
            context = await ReportPipeline.BuildAsync(run, reportsDirectory, choices.Baseline, policy, gate: null, CancellationToken.None);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or ArgumentException)
        {
            var saved = await RunWriter.WriteAsync(run, reportsDirectory, CancellationToken.None);
            await error.WriteLineAsync($"error: {InputErrors.Message(ex)}");
            await error.WriteLineAsync($"The run's results are in {saved}; once that is fixed, rebuild its reports with `evalh report {saved}`.");
            return ExitCodes.InputError;
        }

        var directory = await RunWriter.WriteAsync(context, reportsDirectory, CancellationToken.None);
        ProcessStats.Mark("reportsWritten");
        SummaryPrinter.Print(console, context, Path.Combine(directory, "report.html"));
        await ReportPipeline.AppendStepSummaryAsync(context, CancellationToken.None);
        var exit = ExitCodes.For(run);
        if (context.Gate is not null && exit == ExitCodes.InputError)
        {
            // The gate's verdict is shown, but a case that could not be judged is the exit code's first concern.
            var why = run.Interrupted is not null ? "the run was stopped before it finished" : $"{run.Summary.Errors} case(s) ended in an error and could not be judged (see above)";
            console.MarkupLineInvariant($"[yellow]Exit code 2, not the gate's: {why}. Fix that and run again.[/]");
        }

        return context.Gate is { } gate && exit != ExitCodes.InputError ? (gate.Passed ? ExitCodes.Ok : ExitCodes.Failed) : exit;
    }

    /// <summary>How many cases run at once, and why: the CPU's share for a replay, an adaptive limit per provider when recording live.</summary>
    internal static string AtOnce(Suite suite, RunOptions options) => options.ReachesLiveProvider
        ? $"Up to {string.Join(", ", suite.Variants.Select(v => v.Agent.Model.Provider).Distinct().Select(p => $"{options.ConcurrencyFor(p)} {p}"))} case(s) at once, "
            + "waiting on a live provider: fewer while it answers 429 or asks to retry later, more again as answers come (--concurrency, cassettes.record_concurrency)."
        : $"Up to {options.Concurrency} case(s) at once (--concurrency).";
}
