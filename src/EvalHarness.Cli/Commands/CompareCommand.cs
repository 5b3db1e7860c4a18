using System.CommandLine;
using System.Globalization;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Reports.Markdown;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>evalh compare &lt;run-a&gt; &lt;run-b&gt;</c> or <c>evalh compare &lt;run&gt; --variants a b</c>: the two side by side,
/// with a significance test of the success rates. Exit 1 when B's success is lower than A's in a way that counts (the gate's
/// drop rule, <see cref="RunComparison.DropCounts"/>); a change within noise is not called a regression.
/// </summary>
internal static class CompareCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var runs = new Argument<string[]>("runs") { Description = "Two runs (A, the base, then B), or one run with --variants.", Arity = new ArgumentArity(1, 2) };
        var variants = new Option<string[]>("--variants") { Description = "Two variants of one run to compare: A (the base) then B.", AllowMultipleArgumentsPerToken = true };
        var alpha = new Option<double>("--alpha")
        {
            Description = "The significance level.",
            DefaultValueFactory = _ => RunPairs.Alpha,
            CustomParser = r => double.TryParse(r.Tokens.Single().Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is > 0 and < 1
                ? value
                : Fail(r, $"--alpha must be a number between 0 and 1 such as 0.05, not '{r.Tokens.Single().Value}'."),
        };
        var output = new Option<string?>("--out") { Description = "Where to write the comparison as Markdown (default: <reports>/compare/<A>--<B>.md)." };
        var reports = ReportPipeline.ReportsOption();
        var command = new Command("compare", "Compare two runs of a suite, or two variants of one run, scenario by scenario, with a significance test of the success rates.");
        command.Arguments.Add(runs);
        foreach (var option in new Option[] { variants, alpha, output, reports })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var names = parse.GetValue(runs)!;
            var pair = parse.GetValue(variants) ?? [];
            var level = parse.GetValue(alpha);
            if (names.Length == 2 == (pair.Length > 0) || (pair.Length > 0 && pair.Length != 2))
            {
                throw new ArgumentException("Name two runs (evalh compare <run-a> <run-b>), or one run and two variants (evalh compare <run> --variants <a> <b>).");
            }

            var (first, _, reportsDirectory) = await ReportPipeline.OpenAsync(names[0], parse.GetValue(reports), cancellationToken);
            var comparison = names.Length == 2
                ? await RunPairs.CompareAsync(first, (await ReportPipeline.OpenAsync(names[1], reportsDirectory, cancellationToken)).Run, reportsDirectory, cancellationToken)
                : Comparer.Variants(first, pair[0], pair[1], await RunPairs.FlakyAsync(first, first, reportsDirectory, cancellationToken));
            Print(console, comparison, level);
            var name = names.Length == 2 ? $"{comparison.BaseLabel}--{comparison.CurrentLabel}" : $"{first.RunId}-{comparison.BaseLabel}--{comparison.CurrentLabel}";
            var path = parse.GetValue(output) ?? Path.Combine(reportsDirectory, "compare", $"{Safe(name)}.md");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, ComparisonMarkdown.Render(comparison, level), cancellationToken);
            console.MarkupLine($"Wrote {Markup.Escape(path)}");
            // The gate's drop rule: a significant drop, or any drop in a replay of single trials.
            return comparison.DropCounts(level) ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(IAnsiConsole console, RunComparison c, double alpha)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Scenario")
            .AddColumn(new TableColumn(Markup.Escape(c.BaseLabel)).RightAligned()).AddColumn(new TableColumn(Markup.Escape(c.CurrentLabel)).RightAligned())
            .AddColumn("Change").AddColumn(new TableColumn("Δ steps").RightAligned()).AddColumn(new TableColumn("Δ cost").RightAligned()).AddColumn(new TableColumn("Δ latency").RightAligned());
        foreach (var s in c.Scenarios)
        {
            var text = Reports.Format.ChangeOf(s, c, alpha);
            var change = s.Change switch
            {
                Change.Regressed when c.ChangeCounts(alpha) => $"[red]{text}[/]",
                Change.Fixed when c.ChangeCounts(alpha) => $"[green]{text}[/]",
                Change.Same => $"[grey]{text}[/]",
                _ => text,
            };
            table.AddRow(Markup.Escape(s.Key), Reports.Format.Passed(s.Base), Reports.Format.Passed(s.Current), change + (s.Flaky ? " [yellow](flaky)[/]" : string.Empty),
                Markup.Escape(Reports.Format.StepsDelta(s)), Markup.Escape(Reports.Format.CostDelta(s)), Markup.Escape(Reports.Format.LatencyDelta(s)));
        }

        console.Write(table);
        var t = c.Test;
        var verdict = t.IsSignificant(alpha) ? "[bold]significant[/]" : "not significant";
        var test = c.Deterministic
            ? $" over {t.Cases} paired case(s) · {Markup.Escape(Reports.Format.Verdict(c, alpha))}"
            : string.Create(CultureInfo.InvariantCulture, $" · {Markup.Escape(t.Method)} over {t.Cases} {(c.Paired ? "paired " : string.Empty)}case(s), p = {Reports.Format.PValue(t.PValue)}: {verdict} at α = {alpha}{(t.IsSignificant(alpha) ? string.Empty : " (within noise)")}");
        console.MarkupLineInvariant($"Success {Reports.Format.Percent(c.Base.SuccessRate)} → {Reports.Format.Percent(c.Current.SuccessRate)} ({Reports.Format.Points(c.SuccessDeltaPoints)}){test}");
        if (Reports.Format.TooFewCases(c, alpha) is { } tooFew)
        {
            console.MarkupLine(Markup.Escape(tooFew));
        }
    }

    private static double Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return 0;
    }

    private static string Safe(string label) => string.Concat(label.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));
}
