using System.Globalization;
using System.Text;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Html;

namespace EvalHarness.Reports.Viewer;

/// <summary>
/// The pages of <c>evalh view</c>, served and exported alike: every link is relative (<c>../../runs/&lt;id&gt;/index.html</c>),
/// so the same page works at <c>http://127.0.0.1:&lt;port&gt;/</c> and from a folder with no server. Everything from a
/// run is HTML-encoded into the page, as in the report; the page's one script filters tables and picks two runs.
/// </summary>
internal static partial class ViewPages
{
    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(ViewPages).Assembly.GetManifestResourceStream("EvalHarness.Reports.view.html")
            ?? throw new InvalidOperationException("The viewer's template is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("{{report-style}}", HtmlReportWriter.Style, StringComparison.Ordinal);
    });

    /// <summary>A whole page: <paramref name="refreshSeconds"/> reloads it while a run it shows is in progress.</summary>
    private static string Page(string title, string content, int? refreshSeconds = null) => Template.Value
        .Replace("{{title}}", E(title + " · EvalHarness"), StringComparison.Ordinal)
        .Replace("{{body-attributes}}", refreshSeconds is { } s ? $" data-refresh=\"{s}\"" : string.Empty, StringComparison.Ordinal)
        .Replace("{{content}}", content, StringComparison.Ordinal);

    /// <summary>The bar atop every page: the list of runs, and where this page is.</summary>
    private static void Nav(StringBuilder html, string root, params (string Text, string? Href)[] trail)
    {
        html.Append(CultureInfo.InvariantCulture, $"<nav class=\"top\"><strong>EvalHarness</strong><a href=\"{root}index.html\">All runs</a>");
        foreach (var (text, href) in trail)
        {
            html.Append(href is null ? $"<span>{E(text)}</span>" : $"<a href=\"{E(href)}\">{E(text)}</a>");
        }

        html.Append("</nav>");
    }

    /// <summary>The path of a run's page from a page <paramref name="root"/> below the top.</summary>
    private static string RunHref(string root, string id) => $"{root}runs/{Uri.EscapeDataString(id)}/index.html";

    /// <summary>The path of the side-by-side page of two runs.</summary>
    private static string CompareHref(string root, string a, string b) => $"{root}compare/{Uri.EscapeDataString(a)}/{Uri.EscapeDataString(b)}/index.html";

    /// <summary>The path of a suite's trends page.</summary>
    private static string TrendsHref(string root, string suiteKey) => $"{root}suites/{Uri.EscapeDataString(SuiteSlug(suiteKey))}/index.html";

    /// <summary>A suite key as one path segment: <c>suites/support</c> is <c>suites~support</c>.</summary>
    public static string SuiteSlug(string suiteKey) => suiteKey.Replace('/', '~');

    /// <summary>A filter's values as the script matches them: <c>|a|b|</c>.</summary>
    private static string Tokens(IEnumerable<string> values) => E("|" + string.Join('|', values.Select(v => v.Replace('|', '/'))) + "|");

    private static string Verdict(string verdict) => verdict switch
    {
        "pass" => "<span class=\"pass-cell\">pass</span>",
        "fail" => "<span class=\"fail-cell\">fail</span>",
        "error" => "<span class=\"error-cell\">error</span>",
        "running" => "<span class=\"running-cell\">running</span>",
        _ => $"<span class=\"stopped-cell\">{E(verdict)}</span>",
    };

    private static string Status(CaseResult c) => HtmlReportWriter.Status(c);

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static string Commit(GitInfo? git) => git is null ? "–"
        : $"<code title=\"{E(git.Commit)}\">{E(Format.ShortCommit(git.Commit))}</code>{(git.Branch is { } b ? $" <span class=\"tag\">{E(b)}</span>" : string.Empty)}";

    private static string E(string text) => HtmlReportWriter.E(text);
}
