using System.Globalization;
using System.Text;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Html;

namespace EvalHarness.Reports.Viewer;

/// <summary>A run's page: its verdict, a link to its report, and its cases filterable by what a reader looks for first.</summary>
internal static partial class ViewPages
{
    /// <summary>How many cases' details the page writes out (failures and changes first); the report holds them all.</summary>
    private const int DetailsShown = 50;

    /// <summary>A run still running, or stopped before its results were written.</summary>
    public static string Progress(ViewRun run, DateTimeOffset now, bool live)
    {
        var html = new StringBuilder(4 * 1024);
        const string root = "../../";
        Nav(html, root, (run.Suite + " trends", TrendsHref(root, run.SuiteKey)), (run.Id, null));
        var p = run.Progress!;
        html.Append(CultureInfo.InvariantCulture, $"<h1>Suite {E(run.Suite)}</h1><p class=\"meta\">Run <code>{E(run.Id)}</code> · {E(p.Mode)} · started {When(p.StartedAt)}</p>");
        var verdict = run.Verdict(now);
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"verdict {(verdict == "running" ? "running" : "error")}\" id=\"progress\">")
            .Append(CultureInfo.InvariantCulture, $"{(verdict == "running" ? "Running" : "Stopped")}: {p.Done} of {p.Total} case(s) done, {p.Failed} failed{(p.Errors > 0 ? $" ({p.Errors} with an error)" : string.Empty)}</div>")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"progress\" style=\"margin-top:10px\"><span style=\"width:{(p.Total == 0 ? 0 : 100.0 * p.Done / p.Total):0.#}%\"></span></div>");
        html.Append(verdict == "running"
            ? live ? "<p class=\"note\">This page refreshes every 2 s; it shows the run's results once they are written.</p>" : "<p class=\"note\">In progress when this page was written.</p>"
            : p.Error is { } error
                ? $"<p class=\"error-box\">The run ended without results: {E(error)}</p><p class=\"note\">Fix that and run the suite again; this folder can be deleted.</p>"
                : string.Create(CultureInfo.InvariantCulture, $"<p class=\"note\">The run ended without writing its results (its progress was last written {When(run.ProgressAt!.Value)}): its process was stopped or killed. Run the suite again; this folder can be deleted.</p>"));
        return Page($"{run.Suite} · running", html.ToString(), live && verdict == "running" ? 2 : null);
    }

    /// <summary>A finished run. <paramref name="previous"/> is the run of its suite before it, if any.</summary>
    public static string Run(ViewRun headline, RunResult run, RunResult? previous, IReadOnlySet<string> flaky, bool hasReport)
    {
        var html = new StringBuilder(32 * 1024);
        const string root = "../../";
        Nav(html, root, (run.Suite + " trends", TrendsHref(root, headline.SuiteKey)), (run.RunId, null));
        html.Append(CultureInfo.InvariantCulture, $"<h1>Suite {E(run.Suite)}</h1><p class=\"meta\">Run <code>{E(run.RunId)}</code> · {E(run.Mode)} · {When(run.StartedAt)} · {run.DurationMs / 1000:0.00} s")
            .Append(run.Git is null ? string.Empty : $" · commit {Commit(run.Git)}").Append(headline.Note is { } note ? $" · {E(note)}" : string.Empty).Append("</p>");
        var s = run.Summary;
        var verdict = headline.Verdict(DateTimeOffset.MaxValue);
        if (s.Cases == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"verdict error\">No case finished<small>{E(run.Interrupted ?? "The run has no case.")}</small></div>")
                .Append("<p class=\"note\">Nothing to measure or compare: run the suite again.</p>");
            return Page($"{run.Suite} · no case", html.ToString());
        }

        html.Append(CultureInfo.InvariantCulture, $"<div class=\"verdict {verdict}\">{s.Passed} of {s.Cases} case(s) passed{(s.Errors > 0 ? $", {s.Errors} could not be judged" : string.Empty)}")
            .Append(headline.Gate is { } gate ? $"<small>{E(gate.Headline)}</small>" : string.Empty).Append("</div>");
        html.Append("<div class=\"cards\">")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"card\"><div class=\"label\">Success</div><div class=\"value\">{Format.Percent(s.SuccessRate)}</div></div>")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"card\"><div class=\"label\">Cost</div><div class=\"value\">{Format.Money(s.CostUsd)}</div></div>")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"card\"><div class=\"label\">Latency p50</div><div class=\"value\">{Format.Ms(s.LatencyP50Ms)}</div></div>")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"card\"><div class=\"label\">Steps (mean)</div><div class=\"value\">{Format.Number(s.MeanSteps)}</div></div>")
            .Append("</div><p class=\"controls\" style=\"margin-top:14px\">")
            .Append(hasReport ? "<a class=\"button\" href=\"report.html\">The full report</a>" : "<span class=\"note\">No report.html in this run's folder: rebuild it with <code>evalh report</code>.</span>")
            .Append(previous is null ? "<span class=\"note\">The first run of its suite here: nothing to compare with.</span>"
                : $"<a class=\"button\" href=\"{CompareHref(root, previous.RunId, run.RunId)}\">Side by side with the run before ({E(previous.RunId)})</a>")
            .Append("</p>");
        Cases(html, run, previous, flaky, hasReport);
        return Page($"{run.Suite} · {s.Passed}/{s.Cases} passed", html.ToString());
    }

    private static void Cases(StringBuilder html, RunResult run, RunResult? previous, IReadOnlySet<string> flaky, bool hasReport)
    {
        var before = previous?.Cases.ToDictionary(c => (c.Variant, c.Scenario, c.Trial)) ?? [];
        html.Append("<h2>Cases</h2><div class=\"controls\"><select data-filter=\"show\" aria-label=\"Show\"><option value=\"\">every case</option>")
            .Append("<option value=\"failures\">failures</option><option value=\"errors\">errors</option>")
            .Append(previous is null ? string.Empty : "<option value=\"changed\">changed since the run before</option>")
            .Append("<option value=\"flaky\">flaky</option></select><input type=\"search\" data-filter=\"text\" placeholder=\"Scenario, variant, model…\" aria-label=\"Search cases\">")
            .Append("<span class=\"note\" data-count=\"case(s)\"></span></div>");
        html.Append("<table id=\"cases\"><thead><tr><th>Case</th><th>Result</th>").Append(previous is null ? string.Empty : "<th>Before</th>")
            .Append("<th class=\"num\">Steps</th><th class=\"num\">Tools</th><th class=\"num\">Cost</th><th class=\"num\">Latency</th><th>Why</th></tr></thead><tbody>");
        var detailed = new List<CaseResult>();
        foreach (var c in run.CasesWithDetails())
        {
            var key = (c.Variant, c.Scenario, c.Trial);
            var was = before.TryGetValue(key, out var b) ? Status(b) : null;
            var show = new List<string>();
            show.AddRange(c.Passed ? [] : ["failures"]);
            show.AddRange(c.Error is null ? [] : ["errors"]);
            show.AddRange(previous is not null && was != Status(c) ? ["changed"] : []);
            show.AddRange(flaky.Contains($"{c.Variant}/{c.Scenario}") ? ["flaky"] : []);
            if (show.Count > 0 && detailed.Count < DetailsShown)
            {
                detailed.Add(c);
            }

            var name = $"{E(c.Variant)} / {E(c.Scenario)} / t{c.Trial}";
            var why = c.Error ?? c.Verdicts.FirstOrDefault(v => !v.Passed)?.Reason ?? string.Empty;
            html.Append(CultureInfo.InvariantCulture, $"<tr data-row data-show=\"{Tokens(show)}\" data-text=\"{E($"{c.Variant}/{c.Scenario}/t{c.Trial} {c.Model}")}\">")
                .Append(hasReport ? $"<td><a href=\"report.html#{HtmlReportWriter.Anchor(c)}\">{name}</a>" : $"<td>{name}")
                .Append(show.Contains("flaky") ? " <span class=\"badge flaky\">flaky</span>" : string.Empty).Append("</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{Verdict(Status(c))}</td>")
                .Append(previous is null ? string.Empty : $"<td>{(was is null ? "<span class=\"note\">new</span>" : Verdict(was))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{c.Steps}</td><td class=\"num\">{c.ToolCallCount}</td><td class=\"num\">{Format.Money(c.CostUsd)}</td><td class=\"num\">{Format.Ms(c.LatencyMs)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{E(why.Length > 160 ? why[..160] + "…" : why)}</td></tr>");
        }

        html.Append("</tbody></table>");
        if (detailed.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Details</h2><p class=\"note\">The cases that failed, changed or are flaky{(detailed.Count == DetailsShown ? $" (the first {DetailsShown}; the report has every case)" : string.Empty)}.</p>");
            foreach (var c in detailed)
            {
                HtmlReportWriter.CaseDetail(html, c, open: false);
            }
        }
    }
}
