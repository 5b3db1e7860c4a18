using System.Globalization;
using System.Text;

namespace EvalHarness.Reports.Html;

/// <summary>The verdict (the gate's, when the run was gated) and the summary cards.</summary>
public static partial class HtmlReportWriter
{
    private static void Verdict(StringBuilder html, ReportContext context)
    {
        var run = context.Run;
        var s = run.Summary;
        var (kind, text) = run.Interrupted is { } interrupted ? ("error", interrupted)
            : s.Errors > 0 ? ("error", $"{s.Errors} case(s) could not run — see the errors below")
            : s.Failed > 0 ? ("fail", $"{s.Failed} of {s.Cases} case(s) failed")
            : ("pass", $"All {s.Cases} case(s) passed");
        if (context.Gate is not { } gate)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"verdict {kind}\" id=\"verdict\">{E(text)}</div>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<div class=\"verdict {(!gate.Passed ? "fail" : gate.PassedWithRegressions ? "error" : "pass")}\" id=\"verdict\">")
            .Append(E(gate.Headline))
            .Append(CultureInfo.InvariantCulture, $"<small>{E(text)} · policy {E(gate.Policy)}{(gate.BaselineRunId is { } b ? $" · baseline {E(b)}" : " · no baseline")}</small></div>")
            .Append("<table id=\"gate\"><thead><tr><th>Rule</th><th>Measured</th><th>Threshold</th><th>Result</th><th>Detail</th></tr></thead><tbody>");
        foreach (var r in gate.Rules)
        {
            var status = r.Status.ToString().ToLowerInvariant();
            html.Append(CultureInfo.InvariantCulture, $"<tr data-status=\"{status}\"><td><code>{E(r.Rule)}</code></td><td class=\"num\">{E(r.Measured)}</td><td class=\"num\">{E(r.Threshold)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge {status}\">{status}</span></td><td>{E(r.Detail)}</td></tr>");
        }

        html.Append("</tbody></table>");
        if (gate.Flaky.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Flaky, shown apart from regressions: {E(string.Join(", ", gate.Flaky))}.</p>");
        }
    }

    private static void Cards(StringBuilder html, ReportContext context)
    {
        var s = context.Run.Summary;
        var b = context.Baseline?.Summary;
        var c = context.Comparison;
        html.Append("<div class=\"cards\">");
        Card(html, "Success", Format.Percent(s.SuccessRate), c is null ? null : (Format.Points(c.SuccessDeltaPoints), Worse(c.SuccessDeltaPoints, higherIsBetter: true)));
        Card(html, "95% interval", $"{s.SuccessLow * 100:0}–{s.SuccessHigh * 100:0}%");
        var apart = c is null || b is null ? null : Format.PassHatKApart(c, (s.PassHatK - b.PassHatK) * 100);
        Card(html, "pass^k", Format.Percent(s.PassHatK), b is null ? null : (Format.Points((s.PassHatK - b.PassHatK) * 100), Worse(s.PassHatK - b.PassHatK, higherIsBetter: true)), apart);
        Card(html, "Passed", $"{s.Passed} / {s.Cases}");
        Card(html, "Cost (total)", Format.Money(s.CostUsd), c?.CostChangePercent is { } cost ? ($"{Format.Change(cost)} per case", Worse(cost, higherIsBetter: false)) : null);
        Card(html, "Tokens in / out", $"{s.InputTokens:N0} / {s.OutputTokens:N0}");
        Card(html, "Latency p50", Format.Ms(s.LatencyP50Ms));
        Card(html, "Latency p95", Format.Ms(s.LatencyP95Ms), c?.LatencyP95ChangePercent is { } p95 ? (Format.Change(p95), Worse(p95, higherIsBetter: false)) : null);
        // Against the baseline, steps compare the pairs that ran on both sides, as cost and latency do.
        Card(html, "Steps per case", Format.Number(s.MeanSteps), c is not { Measured: true } ? null
            : (Format.Change(c.Base.MeanSteps > 0 ? (c.Current.MeanSteps - c.Base.MeanSteps) / c.Base.MeanSteps * 100 : null), Worse(c.Current.MeanSteps - c.Base.MeanSteps, higherIsBetter: false)));
        html.Append("</div>");
        if (c is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Changes are against the baseline, over {c.Current.Cases} {(c.Paired ? "paired " : string.Empty)}case(s).</p>");
        }

        if (apart is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\" id=\"pass-hat-k-why\">{E(apart)}</p>");
        }
    }

    /// <summary>The CSS class of a change: worse, better, or neither.</summary>
    private static string Worse(double change, bool higherIsBetter) =>
        Math.Abs(change) < 1e-9 ? string.Empty : (change > 0) == higherIsBetter ? "better" : "worse";

    private static void Card(StringBuilder html, string label, string value, (string Text, string Css)? delta = null, string? title = null)
    {
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\"{(title is null ? string.Empty : $" title=\"{E(title)}\"")}><div class=\"label\">{E(label)}</div><div class=\"value\">{E(value)}</div>");
        if (delta is { } d)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"delta {d.Css}\">{E(d.Text)} vs baseline</div>");
        }

        html.Append("</div>");
    }

    /// <summary>The aggregates of results.json: the suite as a whole, each variant and each tag.</summary>
    private static void Aggregates(StringBuilder html, ReportContext context)
    {
        var groups = context.Run.Groups.Where(g => g.Kind is "suite" or "variant" or "tag").ToList();
        if (groups.Count == 0)
        {
            return;
        }

        html.Append("<details id=\"aggregates\"><summary>Aggregates by suite, variant and tag</summary><div><table><thead><tr><th>Group</th><th class=\"num\">Cases</th><th class=\"num\">Success (95% CI)</th>")
            .Append("<th class=\"num\">pass@k</th><th class=\"num\">pass^k</th><th class=\"num\">Steps</th><th class=\"num\">Tool calls</th><th class=\"num\">Tool errors</th><th class=\"num\">Unknown tools</th>")
            .Append("<th class=\"num\">Retries</th><th class=\"num\">Tokens in / out</th><th class=\"num\">Cost</th><th class=\"num\">Latency p50 / p95</th><th class=\"num\">Harness p50 / p95</th></tr></thead><tbody>");
        foreach (var g in groups)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(g.Kind)} <b>{E(g.Key)}</b></td><td class=\"num\">{g.Cases}</td><td class=\"num\">{Format.Percent(g.SuccessRate)} ({Format.Percent(g.SuccessLow)}–{Format.Percent(g.SuccessHigh)})</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Format.Percent(g.PassAtK)}</td><td class=\"num\">{Format.Percent(g.PassHatK)}</td><td class=\"num\">{Format.Number(g.MeanSteps)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{g.ToolCalls}</td><td class=\"num\">{g.ToolErrors}</td><td class=\"num\">{g.UnknownToolCalls}</td><td class=\"num\">{g.Retries}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{g.InputTokens:N0} / {g.OutputTokens:N0}</td><td class=\"num\">{E(Format.Money(g.CostUsd))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{E(Format.Ms(g.LatencyP50Ms))} / {E(Format.Ms(g.LatencyP95Ms))}</td><td class=\"num\">{E(Format.Ms(g.HarnessP50Ms))} / {E(Format.Ms(g.HarnessP95Ms))}</td></tr>");
        }

        html.Append("</tbody></table><p class=\"note\">pass@k and pass^k over each scenario's k trials (unbiased estimators), averaged over the group's scenarios; harness time is this machine's time outside model calls.</p></div></details>");
    }
}
