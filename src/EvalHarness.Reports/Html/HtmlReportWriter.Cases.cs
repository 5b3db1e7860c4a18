using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Html;

/// <summary>The sortable, filterable case table, and each case's verdicts, tool calls, transcript and timing waterfall.</summary>
public static partial class HtmlReportWriter
{
    /// <summary>Failed cases whose details start open; past this the page would be a wall of text.</summary>
    private const int OpenDetails = 20;

    /// <summary>The most spans a waterfall draws.</summary>
    private const int MaxSpans = 200;

    /// <summary>
    /// Rows of the case table written into the page as HTML. A browser lays a table of ten thousand rows out in
    /// seconds, so a larger run's table shows these (complete without JavaScript) and the script pages through
    /// the rest from the page's case data.
    /// </summary>
    internal const int StaticRows = 1_000;

    /// <summary>Cases whose details are written into the page as HTML; the others' details are in the case data, shown on demand.</summary>
    internal const int StaticDetails = 300;

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
        for (var i = 0; i < run.Cases.Count && i < StaticRows; i++)
        {
            CaseRow(html, context, run.Cases[i], i);
        }

        html.Append("</tbody></table><p class=\"note\" id=\"case-more\">");
        if (run.Cases.Count > StaticRows)
        {
            html.Append(CultureInfo.InvariantCulture, $"The first {StaticRows:N0} of {run.Cases.Count:N0} cases; every case is in cases.csv and results.json, and with JavaScript on, in this table.");
        }

        html.Append("</p>");
    }

    private static void CaseRow(StringBuilder html, ReportContext context, CaseResult c, int index)
    {
        var flaky = context.Flaky.Contains($"{c.Variant}/{c.Scenario}");
        html.Append(CultureInfo.InvariantCulture, $"<tr data-i=\"{index}\" data-status=\"{Status(c)}\" data-variant=\"{E(c.Variant)}\">")
            .Append(CultureInfo.InvariantCulture, $"<td>{E(c.Variant)}</td><td><a href=\"#{Anchor(c)}\" data-i=\"{index}\">{E(c.Scenario)}</a></td><td class=\"num\">{c.Trial}</td><td>{Result(c)}</td>")
            .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{c.Steps}</td><td class=\"num\">{c.ToolCallCount}</td><td class=\"num\">{c.InputTokens + c.OutputTokens:N0}</td>")
            .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{E(Format.Money(c.CostUsd))}</td><td class=\"num\">{E(Format.Ms(c.LatencyMs))}</td><td>")
            .AppendJoin(string.Empty, c.Tags.Select(t => $"<span class=\"tag\">{E(t)}</span>"))
            .Append(c.Critical ? "<span class=\"tag\">critical</span>" : string.Empty)
            .Append(flaky ? "<span class=\"badge flaky\">flaky</span>" : string.Empty)
            .Append("</td></tr>");
    }

    /// <summary>Which cases get their details written into the page: the first ones, and the failures.</summary>
    private static bool[] StaticDetailsOf(IReadOnlyList<CaseResult> cases)
    {
        var chosen = new bool[cases.Count];
        var failures = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            chosen[i] = i < StaticDetails || (!cases[i].Passed && failures++ < StaticDetails);
        }

        return chosen;
    }

    private static void CaseDetails(StringBuilder html, ReportContext context)
    {
        html.Append("<h2>Case details</h2>");
        var cases = context.Run.Cases;
        var chosen = StaticDetailsOf(cases);
        var opened = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            if (chosen[i])
            {
                CaseDetail(html, context.Run.WithDetails(cases[i]), open: !cases[i].Passed && opened++ < OpenDetails);
            }
        }

        html.Append("<div id=\"more-details\"></div>");
        if (chosen.Any(c => !c))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Details of the first {StaticDetails} cases and of the failures; with JavaScript on, a case's name in the table shows the details of any case, and results.json holds them all.</p>");
        }
    }

    /// <summary>A case's details: its error, assertions, conversation, tool calls, trace, transcript and log.</summary>
    internal static void CaseDetail(StringBuilder html, CaseResult c, bool open)
    {
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

        Dialogue(html, c);
        if (c.ToolCalls.Count > 0)
        {
            html.Append("<h3>Tool calls</h3><table><thead><tr><th class=\"num\">Step</th><th>Tool</th><th>Arguments</th><th>Result</th></tr></thead><tbody>");
            foreach (var t in c.ToolCalls)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{t.Step}</td><td><code>{E(t.Tool)}</code>{(t.Agent is null ? string.Empty : $" <span class=\"tag\">{E(t.Agent)}</span>")}</td><td><pre>{E(t.Arguments)}</pre></td><td class=\"{(t.IsError ? "fail-cell" : string.Empty)}\"><pre>{E(t.Result)}</pre></td></tr>");
            }

            html.Append("</tbody></table>");
        }

        if (c.ServerCalls is { Count: > 0 } serverCalls)
        {
            // What the agent's MCP servers and HTTP APIs were asked and answered, from their recorded traffic.
            html.Append("<h3>Tool servers</h3><table><thead><tr><th>Server</th><th>Call</th><th>Arguments</th><th>Answer</th></tr></thead><tbody>");
            foreach (var t in serverCalls)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><span class=\"tag\">{E(t.Agent ?? string.Empty)}</span></td><td><code>{E(t.Tool)}</code></td><td><pre>{E(t.Arguments)}</pre></td><td class=\"{(t.IsError ? "fail-cell" : string.Empty)}\"><pre>{E(t.Result)}</pre></td></tr>");
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

        if (!string.IsNullOrEmpty(c.Log))
        {
            // What a team's own agent printed besides its answer: often the first place to look when it failed.
            html.Append(CultureInfo.InvariantCulture, $"<h3>Agent log</h3><pre class=\"agent-log\">{E(c.Log)}</pre>");
        }

        html.Append("</div></details>");
    }

    /// <summary>
    /// The case data the page's script works from, as gzipped JSON in base64: a row per case (its sort values and
    /// its row's HTML) in <c>case-rows</c>, and in <c>case-details</c> the details not written into the page, read
    /// only when one is asked for. Compressed, the data of ten thousand cases is a few megabytes the browser reads
    /// in a moment, where as text it would take it seconds; base64 holds no character that could end the script
    /// element, and the HTML inside is encoded like the page's own.
    /// </summary>
    private static void CaseData(TextWriter html, ReportContext context)
    {
        var cases = context.Run.Cases;
        var row = new StringBuilder(1024);
        Gzipped(html, "case-rows", json =>
        {
            json.WriteStartArray();
            for (var i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                var flaky = context.Flaky.Contains($"{c.Variant}/{c.Scenario}");

                // [filter text, then the sort value of each column (variant … latency), then the row's HTML]
                json.WriteStartArray();
                json.WriteStringValue($"{c.Variant} {c.Scenario} {string.Join(' ', c.Tags)}{(c.Critical ? " critical" : string.Empty)}{(flaky ? " flaky" : string.Empty)}".ToLowerInvariant());
                json.WriteStringValue(c.Variant);
                json.WriteStringValue(c.Scenario);
                json.WriteNumberValue(c.Trial);
                json.WriteStringValue(Status(c));
                json.WriteNumberValue(c.Steps);
                json.WriteNumberValue(c.ToolCallCount);
                json.WriteNumberValue(c.InputTokens + c.OutputTokens);
                json.WriteNumberValue(c.CostUsd ?? -1);
                json.WriteNumberValue(c.LatencyMs);
                CaseRow(row.Clear(), context, c, i);
                json.WriteStringValue(row.ToString());
                json.WriteEndArray();
                FlushEvery(json);
            }

            json.WriteEndArray();
        });

        var chosen = StaticDetailsOf(cases);
        Gzipped(html, "case-details", json =>
        {
            json.WriteStartObject();
            for (var i = 0; i < cases.Count; i++)
            {
                if (!chosen[i])
                {
                    CaseDetail(row.Clear(), context.Run.WithDetails(cases[i]), open: true);
                    json.WriteString(i.ToString(CultureInfo.InvariantCulture), row.ToString());
                    FlushEvery(json);
                }
            }

            json.WriteEndObject();
        });
    }

    /// <summary>Hands what the JSON writer holds to the compressor once it is large: the writer keeps everything until flushed.</summary>
    private static void FlushEvery(Utf8JsonWriter json)
    {
        if (json.BytesPending > 64 * 1024)
        {
            json.Flush();
        }
    }

    private static void Gzipped(TextWriter html, string id, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var json = new Utf8JsonWriter(gzip, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }

        html.Write($"<script type=\"application/gzip\" id=\"{id}\">");

        // Base64 in slices (a multiple of 3 bytes, so the slices join without padding between them).
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var chars = new char[64 * 1024];
        for (var at = 0; at < bytes.Length; at += 48 * 1024)
        {
            var slice = bytes.Slice(at, Math.Min(48 * 1024, bytes.Length - at));
            Convert.TryToBase64Chars(slice, chars, out var written);
            html.Write(chars, 0, written);
        }

        html.Write("</script>");
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
