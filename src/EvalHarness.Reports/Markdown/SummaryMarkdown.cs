using System.Text;
using EvalHarness.Core.Comparison;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Charts;

namespace EvalHarness.Reports.Markdown;

/// <summary>
/// Writes <c>summary.md</c>: the run at a glance, sized for a pull-request comment or <c>GITHUB_STEP_SUMMARY</c>
/// (lists are cut at <see cref="MaxItems"/>; the HTML report has the rest).
/// </summary>
public static class SummaryMarkdown
{
    /// <summary>The longest list in the summary.</summary>
    public const int MaxItems = 10;

    /// <summary>Writes the summary to <paramref name="path"/>.</summary>
    public static Task WriteAsync(ReportContext context, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteTextAsync(path, Render(context), cancellationToken);

    /// <summary>Renders the summary.</summary>
    public static string Render(ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var run = context.Run;
        var s = run.Summary;
        var md = new StringBuilder(4096);
        var ok = context.Gate?.Passed ?? (s.Failed == 0 && s.Errors == 0 && run.Interrupted is null);
        md.Append("## ").Append(!ok ? "❌ " : context.Gate?.PassedWithRegressions == true ? "⚠️ " : "✅ ").Append(Cell(run.Suite)).Append(": ").Append(s.Passed).Append('/').Append(s.Cases).Append(" passed");
        if (context.Gate is { } gate)
        {
            md.Append(" · gate ").Append(!gate.Passed ? "failed" : gate.PassedWithRegressions ? $"passed with {gate.Regressed.Count} regressed scenario(s)" : "passed");
        }

        md.Append("\n\n");
        if (run.Interrupted is { } interrupted)
        {
            md.Append("> ⚠️ ").Append(Cell(interrupted)).Append("\n\n");
        }

        Numbers(md, context);
        if (context.Gate is { } g)
        {
            Gate(md, g);
        }

        if (context.Comparison is { } comparison)
        {
            Changes(md, comparison);
        }

        Variants(md, run);
        Conversations(md, run);
        Charts(md, context);
        Failures(md, run);
        md.Append("<sub>Run `").Append(run.RunId).Append('`');
        if (run.Git is { } git)
        {
            md.Append(" · commit `").Append(Format.ShortCommit(git.Commit)).Append('`').Append(git.Branch is { } b ? $" ({Cell(b)})" : string.Empty);
        }

        if (context.Baseline is { } baseline)
        {
            md.Append(" · baseline `").Append(baseline.RunId).Append('`');
        }

        md.Append(" · full report: `report.html` in the run folder</sub>\n");
        return md.ToString();
    }

    private static void Numbers(StringBuilder md, ReportContext context)
    {
        var s = context.Run.Summary;
        var c = context.Comparison;
        var b = context.Baseline?.Summary;
        md.Append(c is null ? "| | this run |\n|---|---|\n" : "| | this run | baseline | change |\n|---|---|---|---|\n");
        void Row(string label, string now, string? before = null, string? change = null) =>
            md.Append("| ").Append(label).Append(" | ").Append(now).Append(c is null ? " |\n" : $" | {before} | {change} |\n");

        Row("Success", $"{Format.Percent(s.SuccessRate)} ({s.Passed}/{s.Cases}; 95% CI {Format.Percent(s.SuccessLow)}–{Format.Percent(s.SuccessHigh)})",
            b is null ? null : Format.Percent(b.SuccessRate),
            c is null ? null : $"{Format.Points(c.SuccessDeltaPoints)} on {c.Current.Cases} {(c.Paired ? "paired " : string.Empty)}case(s) ({Format.TestBrief(c)})");
        Row("pass^k", Format.Percent(s.PassHatK), b is null ? null : Format.Percent(b.PassHatK), c is null ? null : "");
        Row("Cost (total)", Format.Money(s.CostUsd), b is null ? null : Format.Money(b.CostUsd), c is null ? null : $"{Format.Change(c.CostChangePercent)} per case");
        Row("Latency p50 / p95", $"{Format.Ms(s.LatencyP50Ms)} / {Format.Ms(s.LatencyP95Ms)}",
            b is null ? null : $"{Format.Ms(b.LatencyP50Ms)} / {Format.Ms(b.LatencyP95Ms)}", c is null ? null : $"{Format.Change(c.LatencyP95ChangePercent)} p95");
        Row("Steps per case", Format.Number(s.MeanSteps), b is null ? null : Format.Number(b.MeanSteps), c is null ? null : "");
        md.Append('\n');
        if (c is not null && b is not null && Format.PassHatKApart(c, (s.PassHatK - b.PassHatK) * 100) is { } apart)
        {
            md.Append(Cell(apart)).Append("\n\n");
        }
    }

    private static void Gate(StringBuilder md, GateResult gate)
    {
        md.Append("### ").Append(Cell(gate.Headline)).Append(" (policy `").Append(Cell(gate.Policy)).Append("`)\n\n")
            .Append("| Rule | Measured | Threshold | Result | Detail |\n|---|---|---|---|---|\n");
        foreach (var r in gate.Rules)
        {
            md.Append("| `").Append(r.Rule).Append("` | ").Append(Cell(r.Measured)).Append(" | ").Append(Cell(r.Threshold)).Append(" | ")
                .Append(r.Status switch { GateStatus.Pass => "✅ pass", GateStatus.Fail => "❌ fail", _ => "➖ skipped" })
                .Append(" | ").Append(Cell(r.Detail)).Append(" |\n");
        }

        md.Append('\n');
    }

    private static void Changes(StringBuilder md, RunComparison comparison)
    {
        var regressed = comparison.With(Change.Regressed).Where(s => !s.Flaky).ToList();
        var flaky = comparison.Scenarios.Where(s => s.Flaky && s.Change is Change.Regressed or Change.Fixed).ToList();
        var groups = new (string Title, List<ScenarioComparison> Items)[]
        {
            ("Regressed", regressed),
            ("Fixed", [.. comparison.With(Change.Fixed).Where(s => !s.Flaky)]),
            ("Flaky (changed, but known to flip)", flaky),
            ("New", [.. comparison.With(Change.New)]),
            ("Removed", [.. comparison.With(Change.Removed)]),
        };
        if (groups.All(g => g.Items.Count == 0))
        {
            md.Append("No scenario changed against the baseline.\n\n");
            return;
        }

        foreach (var (title, items) in groups.Where(g => g.Items.Count > 0))
        {
            md.Append("**").Append(title).Append("** (").Append(items.Count).Append("): ");
            md.AppendJoin(", ", items.Take(MaxItems).Select(i => $"`{Cell(i.Key)}` {Format.Passed(i.Base)} → {Format.Passed(i.Current)}"));
            md.Append(items.Count > MaxItems ? $", and {items.Count - MaxItems} more" : string.Empty).Append("\n\n");
        }
    }

    private static void Variants(StringBuilder md, RunResult run)
    {
        var variants = run.Groups.Where(g => g.Kind == "variant").ToList();
        if (variants.Count < 2)
        {
            return;
        }

        md.Append("| Variant | Success | pass^k | Cost (total) | Latency p95 | Steps per case |\n|---|---|---|---|---|---|\n");
        foreach (var v in variants)
        {
            md.Append("| ").Append(Cell(v.Key)).Append(" | ").Append(Format.Percent(v.SuccessRate)).Append($" ({v.Passed}/{v.Cases})")
                .Append(" | ").Append(Format.Percent(v.PassHatK)).Append(" | ").Append(Format.Money(v.CostUsd))
                .Append(" | ").Append(Format.Ms(v.LatencyP95Ms)).Append(" | ").Append(Format.Number(v.MeanSteps)).Append(" |\n");
        }

        md.Append('\n');
    }

    private static void Conversations(StringBuilder md, RunResult run)
    {
        var scenarios = run.Groups.Where(g => g.Kind == "scenario" && g.MeanTurns is not null).ToList();
        if (scenarios.Count == 0)
        {
            return;
        }

        md.Append("| Conversation | Passed | pass^k | Turns | Steps per turn | Ended by |\n|---|---|---|---|---|---|\n");
        foreach (var g in scenarios)
        {
            md.Append("| ").Append(Cell(g.Key)).Append(" | ").Append(g.Passed).Append('/').Append(g.Cases)
                .Append(" | ").Append(Format.Percent(g.PassHatK)).Append(" | ").Append(Format.Number(g.MeanTurns!.Value))
                .Append(" | ").Append(Format.Number(g.StepsPerTurn!.Value)).Append(" | ")
                .Append(Cell(Format.Endings(g.EndedBy!))).Append(" |\n");
        }

        md.Append('\n');
    }

    // The run folder's PNGs, linked relative to summary.md: pictures wherever the folder is uploaded beside it.
    private static void Charts(StringBuilder md, ReportContext context)
    {
        var charts = RunCharts.For(context);
        if (charts.Count == 0)
        {
            return;
        }

        foreach (var chart in charts)
        {
            md.Append("![").Append(chart.Title).Append("](").Append(chart.Png).Append(")\n");
        }

        md.Append('\n');
    }

    private static void Failures(StringBuilder md, RunResult run)
    {
        var failed = run.Cases.Where(c => !c.Passed).ToList();
        if (failed.Count == 0)
        {
            return;
        }

        md.Append("<details><summary>").Append(failed.Count).Append(" failed case(s)</summary>\n\n");
        foreach (var c in failed.Take(MaxItems))
        {
            var reasons = c.Error is { } error ? [error] : c.Verdicts.Where(v => !v.Passed).Select(v => $"{v.Kind}: {v.Reason}").ToList();
            md.Append("- `").Append(Cell(c.CassetteId)).Append("`: ").Append(Cell(Shorten(string.Join(" · ", reasons), 300))).Append('\n');
        }

        md.Append(failed.Count > MaxItems ? $"- … and {failed.Count - MaxItems} more in the report\n" : string.Empty).Append("\n</details>\n\n");
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static string Cell(string text) => Format.MarkdownCell(text);
}
