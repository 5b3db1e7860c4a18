using System.CommandLine;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.Json;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary><c>evalh report &lt;run&gt;</c>: rebuilds a run's reports from its results.json (and gate.json, when gated).</summary>
internal static class ReportCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var run = new Argument<string>("run") { Description = "A run folder (reports/runs/<id>), its results.json, or latest." };
        var baseline = new Option<string?>("--baseline") { Description = "The run to compare with (default: the suite's blessed baseline, if any)." };
        var reports = new Option<string?>("--reports") { Description = "The reports folder that holds history.csv and baselines/ (default: the one the run is in, else reports)." };
        var command = new Command("report", "Rebuild a run's reports (cases.csv, summary.md, junit.xml, report.html) from its results.json.");
        command.Arguments.Add(run);
        command.Options.Add(baseline);
        command.Options.Add(reports);
        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var given = parse.GetValue(reports);
            var file = RunLocator.Resolve(parse.GetValue(run)!, given ?? "reports");
            var reportsDirectory = ReportPipeline.ReportsFolder(given, file);
            var result = await ResultsJson.ReadAsync(file, cancellationToken);
            var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
            var gate = await GateJson.ReadAsync(directory, cancellationToken);
            var context = await ReportPipeline.BuildAsync(result, reportsDirectory, parse.GetValue(baseline), policy: null, gate, cancellationToken);
            await RunWriter.WriteReportsAsync(context, directory, cancellationToken);
            foreach (var name in RunWriter.ReportFiles)
            {
                console.MarkupLine($"Wrote {Markup.Escape(Path.Combine(directory, name))}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
