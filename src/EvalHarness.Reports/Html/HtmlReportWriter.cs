using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Html;

/// <summary>
/// Writes <c>report.html</c>: one self-contained page (no network, no external script or font), readable without
/// JavaScript, light and dark. Everything from the run (model output above all) is HTML-encoded into the page, so it
/// cannot inject markup or script; the page's one script, part of the template, only sorts and filters the case table.
/// </summary>
public static partial class HtmlReportWriter
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(HtmlReportWriter).Assembly.GetManifestResourceStream("EvalHarness.Reports.report.html")
            ?? throw new InvalidOperationException("The report template is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Writes the report to <paramref name="path"/>, streamed: the page is never whole in memory.</summary>
    public static Task WriteAsync(ReportContext context, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteTextAsync(path, writer => Write(context, writer), cancellationToken);

    /// <summary>Renders the report of a run on its own: no baseline, gate or history.</summary>
    public static string Render(RunResult run) => Render(ReportContext.Create(run));

    /// <summary>Renders the report page.</summary>
    public static string Render(ReportContext context)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(context, writer);
        return writer.ToString();
    }

    /// <summary>Writes the report page to <paramref name="output"/> section by section.</summary>
    public static void Write(ReportContext context, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);
        var run = context.Run;
        var template = Template.Value;
        var at = template.IndexOf("{{content}}", StringComparison.Ordinal);
        output.Write(template.AsSpan(0, at).ToString().Replace("{{title}}", E($"{run.Suite} · {run.Summary.Passed}/{run.Summary.Cases} passed · EvalHarness"), StringComparison.Ordinal));
        var html = new StringBuilder(64 * 1024);
        foreach (var section in new Action<StringBuilder, ReportContext>[] { Header, Verdict, Cards, Aggregates, Conversations, Variants, Baseline, Trends, CaseTable, CaseDetails })
        {
            section(html, context);
            output.Write(html);
            html.Clear();
        }

        CaseData(output, context);
        html.Append(CultureInfo.InvariantCulture, $"<footer>EvalHarness · prices {E(run.PricingVersion)} · latency is the model's and tool servers' latency recorded in the cassette (plus this machine's time when recording)</footer>");
        output.Write(html);
        output.Write(template.AsSpan(at + "{{content}}".Length));
    }

    private static void Header(StringBuilder html, ReportContext context)
    {
        var run = context.Run;
        html.Append(CultureInfo.InvariantCulture, $"<h1>Suite {E(run.Suite)}</h1><p class=\"meta\">Run <code>{E(run.RunId)}</code> · {E(run.Mode)}")
            .Append(CultureInfo.InvariantCulture, $" · {run.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC · {run.DurationMs / 1000:0.00} s · {E(run.SuiteFile)}");
        if (run.Git is { } git)
        {
            html.Append(CultureInfo.InvariantCulture, $" · commit <code title=\"{E(git.Commit)}\">{E(Format.ShortCommit(git.Commit))}</code>{(git.Branch is { } b ? $" on {E(b)}" : string.Empty)}");
        }

        if (run.Shard is { } shard)
        {
            html.Append(CultureInfo.InvariantCulture, $" · shard {E(shard)}");
        }

        html.Append(context.Baseline is { } baseline ? $" · baseline <code>{E(baseline.RunId)}</code>" : string.Empty).Append("</p>");
    }

    private static string Result(CaseResult c) =>
        c.Error is not null ? "<span class=\"error-cell\">error</span>"
        : c.Passed ? "<span class=\"pass-cell\">pass</span>"
        : "<span class=\"fail-cell\">fail</span>";

    /// <summary>A case's result in one word: <c>pass</c>, <c>fail</c> or <c>error</c>.</summary>
    internal static string Status(CaseResult c) => c.Error is not null ? "error" : c.Passed ? "pass" : "fail";

    /// <summary>The id of a case's details in the page.</summary>
    internal static string Anchor(CaseResult c) => E($"case-{c.CassetteId.Replace('/', '-')}");

    private static string Num(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>HTML-encodes text: markup characters always, other characters only where HTML needs it (the page is UTF-8).</summary>
    internal static string E(string text) => Encoder.Encode(text);

    /// <summary>The report's style sheet (what is between its style tags), for pages that look like it.</summary>
    internal static string Style
    {
        get
        {
            var template = Template.Value;
            var start = template.IndexOf("<style>", StringComparison.Ordinal) + "<style>".Length;
            return template[start..template.IndexOf("</style>", start, StringComparison.Ordinal)];
        }
    }
}
