using System.Globalization;
using System.Text;
using EvalHarness.Agents.Observability;

namespace EvalHarness.Reports.Html;

/// <summary>The sortable, filterable case table, and each case's verdicts, tool calls, transcript and timing waterfall.</summary>
public static partial class HtmlReportWriter
{
    /// <summary>Failed cases whose details start open; past this the page would be a wall of text.</summary>
    private const int OpenDetails = 20;

    /// <summary>The most spans a waterfall draws.</summary>
    private const int MaxSpans = 200;

    private static void CaseTable(StringBuilder html, ReportContext context)
    {
        var run = context.Run;
        html.Append("<h2 id=\"case-list\">Cases</h2>")
            .Append("<div class=\"controls\" id=\"case-controls\" hidden><input id=\"case-filter\" type=\"search\" placeholder=\"Filter by scenario, variant or tag\" aria-label=\"Filter cases\">")
            .Append("<select id=\"case-status\" aria-label=\"Result\"><option value=\"\">All results</option><option value=\"pass\">Passed</option><option value=\"fail\">Failed</option><option value=\"error\">Errors</option><option value=\"notpass\">Not passed</option></select>")
            .Append("<select id=\"case-variant\" aria-label=\"Variant\"><option value=\"\">All variants</option>");
        foreach (var v in run.Cases.Select(c => c.Variant).Distinct())
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(v)}\">{E(v)}</option>");
        }

        html.Append("</select><span class=\"note\" id=\"case-count\"></span></div>")
            .Append("<table id=\"cases\"><thead><tr><th data-sort=\"text\">Variant</th><th data-sort=\"text\">Scenario</th><th class=\"num\" data-sort=\"num\">Trial</th><th data-sort=\"text\">Result</th>")
            .Append("<th class=\"num\" data-sort=\"num\">Steps</th><th class=\"num\" data-sort=\"num\">Tool calls</th><th class=\"num\" data-sort=\"num\">Tokens</th><th class=\"num\" data-sort=\"num\">Cost</th><th class=\"num\" data-sort=\"num\">Latency</th><th>Tags</th></tr></thead><tbody>");
        var i = 0;
        foreach (var c in run.Cases)
        {
            var flaky = context.Flaky.Contains($"{c.Variant}/{c.Scenario}");
            var text = $"{c.Variant} {c.Scenario} {string.Join(' ', c.Tags)}{(c.Critical ? " critical" : string.Empty)}{(flaky ? " flaky" : string.Empty)}".ToLowerInvariant();
            html.Append(CultureInfo.InvariantCulture, $"<tr data-i=\"{i++}\" data-status=\"{Status(c)}\" data-variant=\"{E(c.Variant)}\" data-text=\"{E(text)}\">")
                .Append(CultureInfo.InvariantCulture, $"<td>{E(c.Variant)}</td><td><a href=\"#{Anchor(c)}\">{E(c.Scenario)}</a></td><td class=\"num\">{c.Trial}</td><td>{Result(c)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{c.Steps}</td><td class=\"num\">{c.ToolCallCount}</td><td class=\"num\" data-v=\"{c.InputTokens + c.OutputTokens}\">{c.InputTokens + c.OutputTokens:N0}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\" data-v=\"{(c.CostUsd is { } cost ? cost.ToString(CultureInfo.InvariantCulture) : "-1")}\">{E(Format.Money(c.CostUsd))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\" data-v=\"{Num(c.LatencyMs)}\">{E(Format.Ms(c.LatencyMs))}</td><td>")
                .AppendJoin(string.Empty, c.Tags.Select(t => $"<span class=\"tag\">{E(t)}</span>"))
                .Append(c.Critical ? "<span class=\"tag\">critical</span>" : string.Empty)
                .Append(flaky ? "<span class=\"badge flaky\">flaky</span>" : string.Empty)
                .Append("</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void CaseDetails(StringBuilder html, ReportContext context)
    {
        html.Append("<h2>Case details</h2>");
        var opened = 0;
        foreach (var c in context.Run.Cases)
        {
            var open = !c.Passed && opened++ < OpenDetails;
            html.Append(CultureInfo.InvariantCulture, $"<details class=\"case\" id=\"{Anchor(c)}\"{(open ? " open" : string.Empty)}><summary>{Result(c)} {E(c.Variant)} / {E(c.Scenario)} / t{c.Trial} <small>· {E(c.Outcome)} · {E(c.Model)}</small></summary><div>");
            if (c.Error is not null)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"error-box\">{E(c.Error)}</div>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{E(c.OutcomeReason)}</p>");
            if (c.Verdicts.Count > 0)
            {
                html.Append("<h3>Assertions</h3><table class=\"verdicts\"><tbody>");
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

            Waterfall(html, c.Trace);
            if (c.Transcript.Count > 0)
            {
                html.Append("<h3>Transcript</h3>");
                foreach (var m in c.Transcript)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<div class=\"msg {E(m.Role)}\"><span class=\"role\">{E(m.Role)}</span>{E(m.Text)}</div>");
                }
            }

            html.Append("</div></details>");
        }
    }

    /// <summary>The trace's spans as bars on the run's time line, nested by parent: where the time went.</summary>
    private static void Waterfall(StringBuilder html, IReadOnlyList<TraceSpan> trace)
    {
        if (trace.Count == 0)
        {
            return;
        }

        var total = trace.Max(s => s.StartMs + s.DurationMs);
        var depth = new Dictionary<int, int>();
        html.Append("<h3>Timing</h3><div class=\"waterfall\">");
        foreach (var span in trace.OrderBy(s => s.StartMs).ThenBy(s => s.Id).Take(MaxSpans))
        {
            var level = span.ParentId != 0 && depth.TryGetValue(span.ParentId, out var parent) ? parent + 1 : 0;
            depth[span.Id] = level;
            var left = total > 0 ? span.StartMs / total * 100 : 0;
            var width = total > 0 ? span.DurationMs / total * 100 : 100;
            var error = span.Status != "ok" ? " err" : string.Empty;
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"wf-row\"><span class=\"wf-name\" style=\"padding-left:{level * 12}px\" title=\"{E(span.Kind)} {E(span.Name)}\">{E(span.Kind)} · {E(span.Name)}</span>")
                .Append(CultureInfo.InvariantCulture, $"<span class=\"wf-track\"><span class=\"wf-bar k-{E(span.Kind)}{error}\" style=\"left:{left:0.##}%;width:{width:0.##}%\" title=\"{E(span.Name)}: starts at {span.StartMs:0} ms, takes {span.DurationMs:0} ms ({E(span.Status)})\"></span></span>")
                .Append(CultureInfo.InvariantCulture, $"<span class=\"wf-ms\">{E(Format.Ms(span.DurationMs))}</span></div>");
        }

        html.Append(trace.Count > MaxSpans ? $"<p class=\"note\">{trace.Count - MaxSpans} more span(s) in results.json.</p>" : string.Empty).Append("</div>");
    }
}
