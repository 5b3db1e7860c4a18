using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Html;

/// <summary>
/// Writes <c>report.html</c>: one self-contained page, readable without JavaScript, light and dark.
/// Everything from the run (model output above all) is HTML-encoded, so it cannot inject markup or script.
/// </summary>
public static class HtmlReportWriter
{
    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(HtmlReportWriter).Assembly.GetManifestResourceStream("EvalHarness.Reports.report.html")
            ?? throw new InvalidOperationException("The report template is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Writes the report for <paramref name="run"/> to <paramref name="path"/>.</summary>
    public static Task WriteAsync(RunResult run, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteTextAsync(path, Render(run), cancellationToken);

    /// <summary>Renders the report page.</summary>
    public static string Render(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var html = new StringBuilder(16 * 1024);
        Header(html, run);
        Cards(html, run.Summary);
        Variants(html, run);
        CaseTable(html, run);
        CaseDetails(html, run);
        html.Append(CultureInfo.InvariantCulture, $"<footer>EvalHarness · prices {E(run.PricingVersion)} · latency is the model latency recorded in the cassette plus harness time</footer>");
        return Template.Value
            .Replace("{{title}}", E($"{run.Suite} · {run.Summary.Passed}/{run.Summary.Cases} passed · EvalHarness"), StringComparison.Ordinal)
            .Replace("{{content}}", html.ToString(), StringComparison.Ordinal);
    }

    private static void Header(StringBuilder html, RunResult run)
    {
        var s = run.Summary;
        var (kind, text) = run.Interrupted is { } interrupted ? ("error", interrupted)
            : s.Errors > 0 ? ("error", $"{s.Errors} case(s) could not run — see the errors below")
            : s.Failed > 0 ? ("fail", $"{s.Failed} of {s.Cases} case(s) failed")
            : ("pass", $"All {s.Cases} case(s) passed");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Suite {E(run.Suite)}</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Run <code>{E(run.RunId)}</code> · {E(run.Mode)} · {run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC · {run.DurationMs / 1000:0.00} s · {E(run.SuiteFile)}</p>")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"verdict {kind}\" id=\"verdict\">{E(text)}</div>");
    }

    private static void Cards(StringBuilder html, RunSummary s)
    {
        html.Append("<div class=\"cards\">");
        Card(html, "Success", $"{s.SuccessRate * 100:0.#}%");
        Card(html, "95% interval", $"{s.SuccessLow * 100:0}–{s.SuccessHigh * 100:0}%");
        Card(html, "pass^k", $"{s.PassHatK * 100:0.#}%");
        Card(html, "Passed", $"{s.Passed} / {s.Cases}");
        Card(html, "Cost", Money(s.CostUsd));
        Card(html, "Tokens in / out", $"{s.InputTokens:N0} / {s.OutputTokens:N0}");
        Card(html, "Latency p50", Ms(s.LatencyP50Ms));
        Card(html, "Latency p95", Ms(s.LatencyP95Ms));
        Card(html, "Mean steps", s.MeanSteps.ToString("0.##", CultureInfo.InvariantCulture));
        html.Append("</div>");
    }

    private static void Card(StringBuilder html, string label, string value) =>
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\"><div class=\"label\">{E(label)}</div><div class=\"value\">{E(value)}</div></div>");

    private static void Variants(StringBuilder html, RunResult run)
    {
        var variants = run.Cases.Select(c => c.Variant).Distinct().ToList();
        if (variants.Count < 2)
        {
            return;
        }

        html.Append("<h2>Variants side by side</h2><table><thead><tr><th>Scenario</th>");
        foreach (var v in variants)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(v)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var scenario in run.Cases.Select(c => c.Scenario).Distinct())
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(scenario)}</td>");
            foreach (var v in variants)
            {
                var cases = run.Cases.Where(c => c.Scenario == scenario && c.Variant == v).ToList();
                var passed = cases.Count(c => c.Passed);
                var css = passed == cases.Count ? "pass-cell" : "fail-cell";
                html.Append(CultureInfo.InvariantCulture,
                    $"<td><span class=\"{css}\">{passed}/{cases.Count}</span> · {cases.Average(c => c.Steps):0.#} steps · {Money(cases.Any(c => c.CostUsd is null) ? null : cases.Average(c => c.CostUsd!.Value))} · {Ms(cases.Average(c => c.LatencyMs))}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table><p class=\"meta\">Each cell: trials passed, then steps, cost and latency as means per trial.</p>");
    }

    private static void CaseTable(StringBuilder html, RunResult run)
    {
        html.Append("<h2>Cases</h2><table id=\"cases\"><thead><tr><th>Variant</th><th>Scenario</th><th class=\"num\">Trial</th><th>Result</th>")
            .Append("<th class=\"num\">Steps</th><th class=\"num\">Tool calls</th><th class=\"num\">Tokens</th><th class=\"num\">Cost</th><th class=\"num\">Latency</th><th>Tags</th></tr></thead><tbody>");
        foreach (var c in run.Cases)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Variant)}</td><td><a href=\"#{Anchor(c)}\">{E(c.Scenario)}</a></td><td class=\"num\">{c.Trial}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{Result(c)}</td><td class=\"num\">{c.Steps}</td><td class=\"num\">{c.ToolCallCount}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{c.InputTokens + c.OutputTokens:N0}</td><td class=\"num\">{Money(c.CostUsd)}</td><td class=\"num\">{Ms(c.LatencyMs)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{string.Concat(c.Tags.Select(t => $"<span class=\"tag\">{E(t)}</span>"))}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void CaseDetails(StringBuilder html, RunResult run)
    {
        html.Append("<h2>Case details</h2>");
        foreach (var c in run.Cases)
        {
            html.Append(CultureInfo.InvariantCulture, $"<details id=\"{Anchor(c)}\"{(c.Passed ? string.Empty : " open")}><summary>{Result(c)} {E(c.Variant)} / {E(c.Scenario)} / t{c.Trial} <small>· {E(c.Outcome)} · {E(c.Model)}</small></summary><div>");
            if (c.Error is not null)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"error-box\">{E(c.Error)}</div>");
            }

            if (c.Verdicts.Count > 0)
            {
                html.Append("<h3>Assertions</h3><table><tbody>");
                foreach (var v in c.Verdicts)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"{(v.Passed ? "pass-cell" : "fail-cell")}\">{(v.Passed ? "pass" : "fail")}</td><td><code>{E(v.Kind)}</code></td><td>{E(v.Reason)}</td></tr>");
                }

                html.Append("</tbody></table>");
            }

            if (c.ToolCalls.Count > 0)
            {
                html.Append("<h3>Tool calls</h3><table><thead><tr><th class=\"num\">Step</th><th>Tool</th><th>Arguments</th><th>Result</th></tr></thead><tbody>");
                foreach (var t in c.ToolCalls)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{t.Step}</td><td><code>{E(t.Tool)}</code>{(t.Agent is null ? string.Empty : $" <span class=\"tag\">{E(t.Agent)}</span>")}</td><td><pre>{E(t.Arguments)}</pre></td><td class=\"{(t.IsError ? "fail-cell" : string.Empty)}\"><pre>{E(t.Result)}</pre></td></tr>");
                }

                html.Append("</tbody></table>");
            }

            html.Append("<h3>Transcript</h3>");
            foreach (var m in c.Transcript)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"msg {E(m.Role)}\"><span class=\"role\">{E(m.Role)}</span>{E(m.Text)}</div>");
            }

            html.Append("</div></details>");
        }
    }

    private static string Result(CaseResult c) =>
        c.Error is not null ? "<span class=\"error-cell\">error</span>"
        : c.Passed ? "<span class=\"pass-cell\">pass</span>"
        : "<span class=\"fail-cell\">fail</span>";

    private static string Anchor(CaseResult c) => E($"case-{c.CassetteId.Replace('/', '-')}");

    private static string Money(decimal? usd) => usd is { } v ? v.ToString(v < 0.01m ? "$0.000000" : "$0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string Ms(double ms) => ms >= 1000
        ? (ms / 1000).ToString("0.00 s", CultureInfo.InvariantCulture)
        : ms.ToString("0 ms", CultureInfo.InvariantCulture);

    private static string E(string text) => HtmlEncoder.Default.Encode(text);
}
