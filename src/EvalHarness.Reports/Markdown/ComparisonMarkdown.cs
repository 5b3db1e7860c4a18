using System.Text;
using EvalHarness.Core.Comparison;

namespace EvalHarness.Reports.Markdown;

/// <summary>Writes a comparison (<c>evalh compare</c>) as Markdown: the headline numbers, the test, and a row per scenario.</summary>
public static class ComparisonMarkdown
{
    /// <summary>Renders the comparison; <paramref name="alpha"/> is the level a difference must reach to be called significant.</summary>
    public static string Render(RunComparison comparison, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var (a, b) = (comparison.Base, comparison.Current);
        var md = new StringBuilder(2048 + (comparison.Scenarios.Count * 120));
        md.Append("## ").Append(Cell(comparison.CurrentLabel)).Append(" vs ").Append(Cell(comparison.BaseLabel)).Append("\n\n")
            .Append("| | ").Append(Cell(comparison.BaseLabel)).Append(" | ").Append(Cell(comparison.CurrentLabel)).Append(" | change |\n|---|---|---|---|\n")
            .Append($"| Success | {Format.Percent(a.SuccessRate)} ({a.Passed}/{a.Cases}) | {Format.Percent(b.SuccessRate)} ({b.Passed}/{b.Cases}) | {Format.Points(comparison.SuccessDeltaPoints)} |\n")
            .Append($"| Cost per case | {Format.Money(a.MeanCostUsd)} | {Format.Money(b.MeanCostUsd)} | {Format.Change(comparison.CostChangePercent)} |\n")
            .Append($"| Latency p95 | {Format.Ms(a.LatencyP95Ms)} | {Format.Ms(b.LatencyP95Ms)} | {Format.Change(comparison.LatencyP95ChangePercent)} |\n")
            .Append($"| Steps per case | {Format.Number(a.MeanSteps)} | {Format.Number(b.MeanSteps)} | |\n\n");

        var t = comparison.Test;
        md.Append(comparison.Paired
                ? $"{t.Method} test over {t.Cases} paired case(s): {t.OnlyBasePassed} passed only on {Cell(comparison.BaseLabel)}, {t.OnlyCurrentPassed} only on {Cell(comparison.CurrentLabel)}; "
                : $"{t.Method} test over {t.Cases} case(s) (no case ran on both sides); ")
            .Append(comparison.Deterministic ? Format.Verdict(comparison, alpha)
                : $"p = {Format.PValue(t.PValue)}: " + (t.IsSignificant(alpha) ? $"**significant** at α = {Format.Number(alpha, "0.###")}" : $"not significant at α = {Format.Number(alpha, "0.###")} (within noise)"))
            .Append(".\n\n");
        if (Format.TooFewCases(comparison, alpha) is { } tooFew)
        {
            md.Append(tooFew).Append("\n\n");
        }

        md.Append("| Scenario | ").Append(Cell(comparison.BaseLabel)).Append(" | ").Append(Cell(comparison.CurrentLabel))
            .Append(" | Change | Δ steps | Δ cost | Δ latency |\n|---|---|---|---|---|---|---|\n");
        foreach (var s in comparison.Scenarios)
        {
            md.Append("| ").Append(Cell(s.Key)).Append(s.Critical ? " (critical)" : string.Empty)
                .Append(" | ").Append(Format.Passed(s.Base)).Append(" | ").Append(Format.Passed(s.Current))
                .Append(" | ").Append(Format.ChangeOf(s, comparison, alpha)).Append(s.Flaky ? " (flaky)" : string.Empty)
                .Append(" | ").Append(Format.StepsDelta(s)).Append(" | ").Append(Format.CostDelta(s)).Append(" | ").Append(Format.LatencyDelta(s))
                .Append(" |\n");
        }

        return md.ToString();
    }

    private static string Cell(string text) => Format.MarkdownCell(text);
}
