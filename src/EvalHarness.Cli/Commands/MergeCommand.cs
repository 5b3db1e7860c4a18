using System.CommandLine;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.Json;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary><c>evalh merge &lt;run&gt;...</c>: joins the shards of one suite into one run with one report.</summary>
internal static class MergeCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders (reports/runs/<id>) or their results.json files.", Arity = ArgumentArity.OneOrMore };
        var reports = new Option<string>("--reports") { Description = "Where the merged run folder is written.", DefaultValueFactory = _ => "reports" };
        var command = new Command("merge", "Join the results of shards (--shard i/n) of one suite into one run, and write its reports.");
        command.Arguments.Add(runs);
        command.Options.Add(reports);
        command.SetAction(async (parse, cancellationToken) =>
        {
            RunResult merged;
            try
            {
                var results = new List<RunResult>();
                foreach (var path in parse.GetValue(runs)!)
                {
                    var file = Directory.Exists(path) ? Path.Combine(path, "results.json") : path;
                    if (!File.Exists(file))
                    {
                        await error.WriteLineAsync($"error: {file}: no such results file. Name a run folder under reports/runs/ or its results.json.");
                        return ExitCodes.InputError;
                    }

                    results.Add(await ResultsJson.ReadAsync(file, cancellationToken));
                }

                merged = RunMerger.Merge(results, TimeProvider.System);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidDataException)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.InputError;
            }

            var directory = await RunWriter.WriteAsync(merged, parse.GetValue(reports)!, CancellationToken.None);
            SummaryPrinter.Print(console, merged, Path.Combine(directory, "report.html"));
            return ExitCodes.For(merged);
        });
        return command;
    }
}
