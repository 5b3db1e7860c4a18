using System.Globalization;
using EvalHarness.Core.Results;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>Prints a run's summary table, its failures with their reasons, and where the report is.</summary>
internal static class SummaryPrinter
{
    public static void Print(IAnsiConsole console, RunResult run, string reportPath)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Variant").AddColumn("Scenario").AddColumn(new TableColumn("Trial").RightAligned()).AddColumn("Result")
            .AddColumn(new TableColumn("Steps").RightAligned()).AddColumn(new TableColumn("Tools").RightAligned())
            .AddColumn(new TableColumn("Tokens").RightAligned()).AddColumn(new TableColumn("Cost").RightAligned())
            .AddColumn(new TableColumn("Latency").RightAligned());
        foreach (var c in run.Cases)
        {
            table.AddRow(
                Markup.Escape(c.Variant),
                Markup.Escape(c.Scenario),
                c.Trial.ToString(CultureInfo.InvariantCulture),
                c.Error is not null ? "[yellow]error[/]" : c.Passed ? "[green]pass[/]" : "[red]fail[/]",
                c.Steps.ToString(CultureInfo.InvariantCulture),
                c.ToolCallCount.ToString(CultureInfo.InvariantCulture),
                (c.InputTokens + c.OutputTokens).ToString("N0", CultureInfo.InvariantCulture),
                c.CostUsd is { } cost ? cost.ToString("$0.000000", CultureInfo.InvariantCulture) : "n/a",
                c.LatencyMs.ToString("0 ms", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var s = run.Summary;
        console.MarkupLine(CultureInfo.InvariantCulture,
            $"[bold]{s.Passed}/{s.Cases} passed[/] ({s.SuccessRate * 100:0.#}%), {s.Failed} failed, {s.Errors} error(s) · cost {(s.CostUsd is { } total ? total.ToString("$0.000000", CultureInfo.InvariantCulture) : "n/a (a model has no price)")} · latency p50 {s.LatencyP50Ms:0} ms, p95 {s.LatencyP95Ms:0} ms · {run.DurationMs / 1000:0.00} s");

        foreach (var c in run.Cases.Where(c => !c.Passed))
        {
            console.MarkupLine(CultureInfo.InvariantCulture, $"[red]✗[/] {Markup.Escape(c.CassetteId)}");
            if (c.Error is not null)
            {
                console.MarkupLine(CultureInfo.InvariantCulture, $"    [yellow]{Markup.Escape(c.Error)}[/]");
            }

            foreach (var v in c.Verdicts.Where(v => !v.Passed))
            {
                console.MarkupLine(CultureInfo.InvariantCulture, $"    {Markup.Escape(v.Kind)}: {Markup.Escape(v.Reason)}");
            }
        }

        if (run.Interrupted is { } interrupted)
        {
            console.MarkupLine(CultureInfo.InvariantCulture, $"[yellow]{Markup.Escape(interrupted)} The report holds the finished cases.[/]");
        }

        console.MarkupLine(CultureInfo.InvariantCulture, $"Report: {Markup.Escape(reportPath)}");
    }
}
