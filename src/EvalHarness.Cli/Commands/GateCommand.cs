using System.CommandLine;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.Json;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>evalh gate &lt;run&gt; --baseline &lt;run&gt; --policy gate.yaml</c>: judges a run, prints every rule, writes the
/// verdict into the run's reports, and exits 0 (pass) or 1 (fail); 2 for bad input.
/// </summary>
internal static class GateCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var run = new Argument<string>("run") { Description = "The run to gate: a run folder (reports/runs/<id>), its results.json, or latest." };
        var baseline = new Option<string?>("--baseline") { Description = "The run to compare with: a run folder, results.json or baseline file (default: the suite's blessed baseline, if any)." };
        var policy = new Option<string?>("--policy") { Description = "The policy file (default: the built-in policy: critical scenarios pass, no errors, no significant drop)." };
        var reports = new Option<string?>("--reports") { Description = "The reports folder that holds history.csv and baselines/ (default: the one the run is in, else reports)." };
        var command = new Command("gate", "Judge a run against a policy and a baseline. Exit 0 pass, 1 fail, 2 bad input.");
        command.Arguments.Add(run);
        command.Options.Add(baseline);
        command.Options.Add(policy);
        command.Options.Add(reports);
        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var rules = ReportPipeline.Policy(parse.GetValue(policy));
            var given = parse.GetValue(reports);
            var file = RunLocator.Resolve(parse.GetValue(run)!, given ?? "reports");
            var reportsDirectory = ReportPipeline.ReportsFolder(given, file);
            var result = await ResultsJson.ReadAsync(file, cancellationToken);
            var context = await ReportPipeline.BuildAsync(result, reportsDirectory, parse.GetValue(baseline), rules, gate: null, cancellationToken);
            var gate = context.Gate!;
            console.MarkupLine($"Gating run {Markup.Escape(result.RunId)} against {(gate.BaselineRunId is { } b ? $"baseline {Markup.Escape(b)}" : "no baseline")}:");
            SummaryPrinter.PrintGate(console, gate);
            if (Path.GetFileName(file) == "results.json")
            {
                // The verdict joins the run's reports, so the HTML and Markdown show it too.
                var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
                await RunWriter.WriteReportsAsync(context, directory, cancellationToken);
                console.MarkupLine($"Report: {Markup.Escape(Path.Combine(directory, "report.html"))}");
            }

            await ReportPipeline.AppendStepSummaryAsync(context, cancellationToken);
            return gate.Passed ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }
}
