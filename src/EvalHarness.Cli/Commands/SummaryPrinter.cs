using System.Globalization;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>Prints a run's summary table, its failures with their reasons, and where the report is.</summary>
internal static class SummaryPrinter
{
    public static void Print(IAnsiConsole console, ReportContext context, string reportPath)
    {
        var run = context.Run;
        console.Write(run.Cases.Count <= MaxCaseRows ? CaseTable(run) : VariantTable(run));
        var s = run.Summary;
        console.MarkupLineInvariant(
            $"[bold]{s.Passed}/{s.Cases} passed[/] ({s.SuccessRate * 100:0.#}%), {s.Failed} failed, {s.Errors} error(s) · cost {(s.CostUsd is { } total ? total.ToString("$0.000000", CultureInfo.InvariantCulture) : "n/a (a model has no price)")} · recorded latency p50 {s.LatencyP50Ms:0} ms, p95 {s.LatencyP95Ms:0} ms · cases ran in {run.DurationMs / 1000:0.00} s");

        var failures = run.Cases.Where(c => !c.Passed).ToList();
        foreach (var c in failures.Take(MaxFailuresShown))
        {
            console.MarkupLineInvariant($"[red]✗[/] {Markup.Escape(c.CassetteId)}");
            if (c.Error is not null)
            {
                console.MarkupLineInvariant($"    [yellow]{Markup.Escape(c.Error)}[/]");
            }

            foreach (var v in c.Verdicts.Where(v => !v.Passed))
            {
                console.MarkupLineInvariant($"    {Markup.Escape(v.Kind)}: {Markup.Escape(v.Reason)}");
            }
        }

        if (failures.Count > MaxFailuresShown)
        {
            console.MarkupLineInvariant($"    … and {failures.Count - MaxFailuresShown} more failed case(s): the report lists them all.");
        }

        if (context.Comparison is { } comparison)
        {
            var (regressed, fixedCount, flaky) = (comparison.With(Change.Regressed).Count(s => !s.Flaky), comparison.With(Change.Fixed).Count(s => !s.Flaky), comparison.Scenarios.Count(s => s.Flaky));
            console.MarkupLineInvariant(
                $"Against baseline {Markup.Escape(comparison.BaseLabel)}: success {Reports.Format.Points(comparison.SuccessDeltaPoints)} ({Markup.Escape(Reports.Format.TestBrief(comparison))}), {regressed} regressed, {fixedCount} fixed, {flaky} flaky, {comparison.With(Change.New).Count()} new, {comparison.With(Change.Removed).Count()} removed");
        }

        if (context.Gate is { } gate)
        {
            PrintGate(console, gate);
        }

        if (run.Interrupted is { } interrupted)
        {
            console.MarkupLineInvariant($"[yellow]{Markup.Escape(interrupted)} The report holds the finished cases.[/]");
        }

        console.MarkupLineInvariant($"Report: {Markup.Escape(reportPath)}");
    }

    /// <summary>Up to this many cases, the summary has a row per case; past it, a row per variant (the report has every case).</summary>
    internal const int MaxCaseRows = 100;

    /// <summary>Failed cases listed with their reasons; the rest are counted.</summary>
    internal const int MaxFailuresShown = 50;

    private static Table CaseTable(RunResult run)
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
                Cost(c.CostUsd),
                c.LatencyMs.ToString("0 ms", CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static Table VariantTable(RunResult run)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Variant").AddColumn(new TableColumn("Cases").RightAligned()).AddColumn(new TableColumn("Passed").RightAligned())
            .AddColumn(new TableColumn("Failed").RightAligned()).AddColumn(new TableColumn("Errors").RightAligned())
            .AddColumn(new TableColumn("Steps").RightAligned()).AddColumn(new TableColumn("Tokens").RightAligned()).AddColumn(new TableColumn("Cost").RightAligned());
        foreach (var variant in run.Cases.GroupBy(c => c.Variant, StringComparer.Ordinal))
        {
            var cases = variant.ToList();
            table.AddRow(
                Markup.Escape(variant.Key),
                cases.Count.ToString("N0", CultureInfo.InvariantCulture),
                $"[green]{cases.Count(c => c.Passed):N0}[/]",
                cases.Count(c => !c.Passed && c.Error is null) is var failed and > 0 ? $"[red]{failed:N0}[/]" : "0",
                cases.Count(c => c.Error is not null) is var errors and > 0 ? $"[yellow]{errors:N0}[/]" : "0",
                cases.Sum(c => c.Steps).ToString("N0", CultureInfo.InvariantCulture),
                cases.Sum(c => c.InputTokens + c.OutputTokens).ToString("N0", CultureInfo.InvariantCulture),
                Cost(cases.Any(c => c.CostUsd is null) ? null : cases.Sum(c => c.CostUsd!.Value)));
        }

        return table;
    }

    private static string Cost(decimal? cost) => cost is { } usd ? usd.ToString("$0.000000", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Prints the gate's verdict: every rule with its measured value, threshold and result.</summary>
    public static void PrintGate(IAnsiConsole console, GateResult gate)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Rule").AddColumn(new TableColumn("Measured").RightAligned())
            .AddColumn(new TableColumn("Threshold").RightAligned()).AddColumn("Result").AddColumn("Detail");
        foreach (var r in gate.Rules)
        {
            table.AddRow(
                Markup.Escape(r.Rule),
                Markup.Escape(r.Measured),
                Markup.Escape(r.Threshold),
                r.Status switch { GateStatus.Pass => "[green]pass[/]", GateStatus.Fail => "[red]fail[/]", _ => "[grey]skipped[/]" },
                Markup.Escape(r.Detail));
        }

        console.Write(table);
        if (gate.Flaky.Count > 0)
        {
            console.MarkupLineInvariant($"[yellow]Flaky[/] (shown apart from regressions): {Markup.Escape(string.Join(", ", gate.Flaky))}");
        }

        var colour = !gate.Passed ? "red" : gate.PassedWithRegressions ? "yellow" : "green";
        console.MarkupLineInvariant($"[{colour} bold]{Markup.Escape(gate.Headline)}[/] (policy {Markup.Escape(gate.Policy)})");
    }

}
