using System.Globalization;
using System.Text;

namespace EvalHarness.Reports.Viewer;

/// <summary>The list of every run: filters, a search by scenario, and two runs picked to see side by side.</summary>
internal static partial class ViewPages
{
    /// <summary>
    /// The index. <paramref name="exported"/>, for a static export, holds the runs whose side-by-side pages it wrote
    /// (null when served: any two runs can be compared).
    /// </summary>
    public static string Index(
        IReadOnlyList<ViewRun> runs, IReadOnlyDictionary<string, string> unreadable, string reportsDirectory, DateTimeOffset now,
        bool live, IReadOnlySet<string>? exported = null, int exportRuns = 0)
    {
        var html = new StringBuilder(16 * 1024);
        Nav(html, string.Empty);
        var suites = runs.Select(r => r.SuiteKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        html.Append(CultureInfo.InvariantCulture, $"<h1>Runs</h1><p class=\"meta\">{runs.Count} run(s) of {suites.Count} suite(s) in <code>{E(reportsDirectory)}</code>");
        var running = runs.Count(r => r.Verdict(now) == "running");
        html.Append(running > 0 && live ? $" · {running} in progress: this page refreshes until they end" : string.Empty).Append("</p>");
        foreach (var (id, why) in unreadable.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"error-box\">runs/{E(id)} is not listed: {E(why)}</p>");
        }

        if (runs.Count == 0)
        {
            html.Append("<p class=\"note\">No run yet. A run of a suite (<code>evalh run &lt;suite&gt;</code>) writes its folder under <code>runs/</code>, and it shows here.</p>");
            return Page("Runs", html.ToString());
        }

        Filters(html, runs, suites, exportRuns);
        html.Append("<table id=\"runs\"><thead><tr><th></th><th>Started</th><th>Suite</th><th>Run</th><th>Commit</th><th>Mode</th><th>Verdict</th>"
            + "<th class=\"num\">Passed</th><th class=\"num\">Success</th><th class=\"num\">Cost</th><th class=\"num\">Latency p50</th><th>Gate</th></tr></thead><tbody>");
        foreach (var run in runs)
        {
            Row(html, run, now, exported);
        }

        html.Append("</tbody></table>");
        return Page("Runs", html.ToString(), live && running > 0 ? 2 : null);
    }

    private static void Filters(StringBuilder html, IReadOnlyList<ViewRun> runs, IReadOnlyList<string> suites, int exportRuns)
    {
        static string Options(string any, IEnumerable<(string Value, string Text)> options) =>
            $"<option value=\"\">{any}</option>" + string.Concat(options.Select(o => $"<option value=\"{E(o.Value)}\">{E(o.Text)}</option>"));
        var names = runs.GroupBy(r => r.SuiteKey).ToDictionary(g => g.Key, g => g.First().Suite, StringComparer.Ordinal);
        var variants = runs.SelectMany(r => r.Variants).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var branches = runs.Select(r => r.Git?.Branch).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        html.Append("<div class=\"controls\">")
            .Append("<select data-filter=\"suite\" aria-label=\"Suite\">").Append(Options("every suite", suites.Select(k => (k, names[k] == k ? k : $"{names[k]} ({k})")))).Append("</select>")
            .Append("<select data-filter=\"variant\" aria-label=\"Variant\">").Append(Options("every variant", variants.Select(v => (v, v)))).Append("</select>")
            .Append("<select data-filter=\"branch\" aria-label=\"Branch\">").Append(Options("every branch", branches.Select(b => (b, b)))).Append("</select>")
            .Append("<select data-filter=\"verdict\" aria-label=\"Verdict\">").Append(Options("any verdict", [
                ("fail", "failed"), ("pass", "passed"), ("error", "error or stopped"), ("running", "in progress"), ("gate-failed", "gate failed"), ("gate-passed", "gate passed")]))
            .Append("</select>")
            .Append("<input type=\"search\" data-filter=\"scenarios\" placeholder=\"Scenario…\" aria-label=\"Search by scenario\">")
            .Append("<span class=\"note\" data-count=\"run(s)\"></span>")
            .Append(CultureInfo.InvariantCulture, $"<button type=\"button\" id=\"compare\" data-export-runs=\"{exportRuns}\">Side by side</button><span id=\"compare-message\" class=\"message\" role=\"status\"></span>")
            .Append("</div><p class=\"note\">Tick two runs of a suite and choose Side by side: the older is the base.</p>");
    }

    private static void Row(StringBuilder html, ViewRun run, DateTimeOffset now, IReadOnlySet<string>? exported)
    {
        var verdict = run.Verdict(now);
        var verdicts = new List<string> { verdict == "stopped" ? "error" : verdict };
        if (run.Gate is { } gate)
        {
            verdicts.Add(gate.Passed ? "gate-passed" : "gate-failed");
        }

        // A scenario is found by its name, and a failed one also by "failed:<variant>/<name>" and "failed:<name>".
        var failed = run.Failed.SelectMany(f => new[] { "failed:" + f, "failed:" + f[(f.IndexOf('/', StringComparison.Ordinal) + 1)..] }).Distinct(StringComparer.Ordinal);
        var scenarios = string.Join(' ', run.Scenarios.Concat(failed));
        html.Append(CultureInfo.InvariantCulture,
            $"<tr data-row data-suite=\"{Tokens([run.SuiteKey])}\" data-variant=\"{Tokens(run.Variants)}\" data-branch=\"{Tokens(run.Git?.Branch is { } b ? [b] : [])}\" data-verdict=\"{Tokens(verdicts)}\" data-scenarios=\"{E(scenarios)}\" data-run=\"{E(run.Id)}\">");
        html.Append(run.InProgress ? "<td></td>" : string.Create(CultureInfo.InvariantCulture,
            $"<td><input type=\"checkbox\" data-pick value=\"{E(run.Id)}\" data-suite=\"{E(run.SuiteKey)}\" data-started=\"{run.StartedAt.UtcDateTime:O}\"{(exported is null || exported.Contains(run.Id) ? string.Empty : " data-export=\"no\"")} aria-label=\"Pick {E(run.Id)}\"></td>"));
        html.Append(CultureInfo.InvariantCulture, $"<td>{When(run.StartedAt)}</td><td><a href=\"{TrendsHref(string.Empty, run.SuiteKey)}\" title=\"{E(run.SuiteKey)}\">{E(run.Suite)}</a></td>")
            .Append(CultureInfo.InvariantCulture, $"<td><a href=\"{RunHref(string.Empty, run.Id)}\"><code>{E(run.Id)}</code></a>{(run.Note is { } note ? $" <span class=\"tag\">{E(note)}</span>" : string.Empty)}</td>")
            .Append(CultureInfo.InvariantCulture, $"<td>{Commit(run.Git)}</td><td>{E(run.Mode)}</td>");
        if (run.Summary is { Cases: 0 })
        {
            html.Append(CultureInfo.InvariantCulture, $"<td>{Verdict(verdict)}</td><td class=\"num\">0/0</td><td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">–</td><td>–</td>");
        }
        else if (run.Summary is { } s)
        {
            html.Append(CultureInfo.InvariantCulture, $"<td>{Verdict(verdict)}</td><td class=\"num\">{s.Passed}/{s.Cases}</td><td class=\"num\">{Format.Percent(s.SuccessRate)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Format.Money(s.CostUsd)}</td><td class=\"num\">{Format.Ms(s.LatencyP50Ms)}</td>")
                .Append(run.Gate is { } g ? $"<td>{(g.Passed ? "<span class=\"pass-cell\">passed</span>" : "<span class=\"fail-cell\">failed</span>")}</td>" : "<td>–</td>");
        }
        else
        {
            var p = run.Progress!;
            html.Append(CultureInfo.InvariantCulture, $"<td>{Verdict(verdict)}</td><td class=\"num\">{p.Done}/{p.Total}</td><td class=\"num\" colspan=\"4\">")
                .Append(CultureInfo.InvariantCulture, $"<div class=\"progress\" title=\"{p.Done} of {p.Total} case(s), {p.Failed} failed\"><span style=\"width:{(p.Total == 0 ? 0 : 100.0 * p.Done / p.Total):0.#}%\"></span></div></td>");
        }

        html.Append("</tr>");
    }
}
