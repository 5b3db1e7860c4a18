using System.Globalization;
using EvalHarness.Cassettes.Format;
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
        IAnsiConsole console, TextWriter error, string suitePath, string reportsDirectory, Func<Suite, Task<RunOptions>> configure, CancellationToken cancellationToken)
    {
        RunResult run;
        try
        {
            var suite = SuiteLoader.Load(suitePath);
            var options = await configure(suite);
            if (options.Mode == Cassettes.Server.RecordMode.None && !Directory.Exists(options.CassetteDirectory))
            {
                throw new SuiteException(options.CassetteDirectory, 0, 0,
                    $"the cassette folder does not exist (looked in {Path.GetFullPath(options.CassetteDirectory)}). Run from the repository root, pass --cassettes, or record first with `evalh record`.");
            }

            var total = EvalRunner.Expand(suite).Count(options.Selects);
            var done = 0;
            var progressLock = new Lock();
            console.MarkupLine(CultureInfo.InvariantCulture, $"[bold]{Markup.Escape(suite.Name)}[/]: {total} case(s), {(options.Mode == Cassettes.Server.RecordMode.None ? "replaying" : "recording")} with cassettes in {Markup.Escape(Path.GetFullPath(options.CassetteDirectory))}");
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
                                console.MarkupLine(CultureInfo.InvariantCulture, $"[grey]  {done}/{total} done[/]");
                            }
                        }
                    },
                }, cancellationToken);
            }
        }
        catch (SuiteException ex)
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

        var directory = await RunWriter.WriteAsync(run, reportsDirectory, CancellationToken.None);
        SummaryPrinter.Print(console, run, Path.Combine(directory, "report.html"));
        return ExitCodes.For(run);
    }
}
