using System.CommandLine;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.Baselines;
using EvalHarness.Reports.Json;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary><c>evalh baseline bless &lt;run&gt;</c>: makes a run its suite's baseline.</summary>
internal static class BaselineCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var run = new Argument<string>("run") { Description = "The run to bless: a run folder (reports/runs/<id>), its results.json, or latest." };
        var reports = new Option<string?>("--reports") { Description = "The reports folder; the baseline goes to <reports>/baselines/<suite>.json (default: the one the run is in, else reports)." };
        var bless = new Command("bless", "Make a run its suite's baseline: later runs, reports and gates compare against it.");
        bless.Arguments.Add(run);
        bless.Options.Add(reports);
        bless.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var given = parse.GetValue(reports);
            var file = RunLocator.Resolve(parse.GetValue(run)!, given ?? "reports");
            var result = await ResultsJson.ReadAsync(file, cancellationToken);
            var path = await BaselineStore.BlessAsync(result, ReportPipeline.ReportsFolder(given, file), cancellationToken);
            console.MarkupLine($"Run {Markup.Escape(result.RunId)} ({result.Summary.Passed}/{result.Summary.Cases} passed) is now the baseline of the suite {Markup.Escape(result.Suite)}: {Markup.Escape(path)}");
            console.MarkupLine("Commit that file to share the baseline with CI.");
            return ExitCodes.Ok;
        }));
        var command = new Command("baseline", "Manage the runs later runs are compared against.");
        command.Subcommands.Add(bless);
        return command;
    }
}
