using System.CommandLine;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Baselines;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary><c>evalh baseline bless &lt;run&gt;</c>: makes a run its suite's baseline.</summary>
internal static class BaselineCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var run = ReportPipeline.RunArgument("The run to bless");
        var reports = ReportPipeline.ReportsOption();
        var partial = new Option<bool>("--allow-partial") { Description = "Bless a run narrowed with --filter or --variant all the same." };
        var force = new Option<bool>("--force") { Description = "Bless a run with failed or errored cases all the same (later runs then compare with those failures)." };
        var bless = new Command("bless", "Make a run its suite's baseline: later runs, reports and gates compare against it.");
        bless.Arguments.Add(run);
        bless.Options.Add(reports);
        bless.Options.Add(partial);
        bless.Options.Add(force);
        bless.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var (result, _, reportsDirectory) = await ReportPipeline.OpenAsync(parse.GetValue(run)!, parse.GetValue(reports), cancellationToken);
            var path = await BaselineStore.BlessAsync(result, reportsDirectory, parse.GetValue(partial), parse.GetValue(force), cancellationToken);
            console.MarkupLine($"Run {Markup.Escape(result.RunId)} ({result.Summary.Passed}/{result.Summary.Cases} passed) is now the baseline of the suite {Markup.Escape(result.Suite)}: {Markup.Escape(path)}");
            console.MarkupLine("Commit that file to share the baseline with CI.");
            return ExitCodes.Ok;
        }));
        var command = new Command("baseline", "Manage the runs later runs are compared against.");
        command.Subcommands.Add(bless);
        return command;
    }
}
