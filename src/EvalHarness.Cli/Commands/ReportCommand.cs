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
        var run = ReportPipeline.RunArgument("The run");
        var baseline = ReportPipeline.BaselineOption();
        var reports = ReportPipeline.ReportsOption();
        var command = new Command("report", "Rebuild a run's reports (cases.csv, summary.md, junit.xml, report.html) from its results.json.");
        command.Arguments.Add(run);
        command.Options.Add(baseline);
        command.Options.Add(reports);
        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var (result, file, reportsDirectory) = await ReportPipeline.OpenAsync(parse.GetValue(run)!, parse.GetValue(reports), cancellationToken);
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
