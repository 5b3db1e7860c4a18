using System.CommandLine;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
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
        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var results = new List<RunResult>();
            foreach (var path in parse.GetValue(runs)!)
            {
                results.Add((await RunLocator.ReadAsync(path, parse.GetValue(reports)!, cancellationToken)).Run);
            }

            var merged = RunMerger.Merge(results, TimeProvider.System);
            var reportsDirectory = parse.GetValue(reports)!;
            await ReportPipeline.AppendHistoryAsync(merged, reportsDirectory, CancellationToken.None);
            var context = await ReportPipeline.BuildAsync(merged, reportsDirectory, baseline: null, policy: null, gate: null, CancellationToken.None);
            var directory = await RunWriter.WriteAsync(context, reportsDirectory, CancellationToken.None);
            SummaryPrinter.Print(console, context, Path.Combine(directory, "report.html"));
            return ExitCodes.For(merged);
        }));
        return command;
    }
}
