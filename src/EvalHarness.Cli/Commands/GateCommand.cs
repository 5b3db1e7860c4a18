using System.CommandLine;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
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
        var run = ReportPipeline.RunArgument("The run to gate");
        var baseline = ReportPipeline.BaselineOption();
        var policy = new Option<string?>("--policy") { Description = "The policy file (default: the built-in policy: critical scenarios pass, no errors, no significant drop)." };
        var reports = ReportPipeline.ReportsOption();
        var command = new Command("gate", "Judge a run against a policy and a baseline. Exit 0 pass, 1 fail, 2 bad input.");
        command.Arguments.Add(run);
        command.Options.Add(baseline);
        command.Options.Add(policy);
        command.Options.Add(reports);
        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var rules = ReportPipeline.Policy(parse.GetValue(policy));
            var (result, file, reportsDirectory) = await ReportPipeline.OpenAsync(parse.GetValue(run)!, parse.GetValue(reports), cancellationToken);
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
