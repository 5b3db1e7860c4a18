using System.Globalization;
using System.Text;
using System.Xml;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Junit;

/// <summary>
/// Writes <c>junit.xml</c>, which CI systems (GitHub, GitLab, Azure, Jenkins) render as tests: a test suite per
/// variant, a test case per case; a failed case carries its failed assertions, a case that could not run an error.
/// </summary>
public static class JunitXml
{
    private const int MaxOutput = 4000;

    /// <summary>Writes the run's JUnit XML to <paramref name="path"/>, streamed.</summary>
    public static Task WriteAsync(RunResult run, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteTextAsync(path, writer => Write(run, writer), cancellationToken);

    /// <summary>Renders the JUnit XML.</summary>
    public static string Render(RunResult run)
    {
        using var text = new Utf8StringWriter();
        Write(run, text);
        return text.ToString();
    }

    /// <summary>Writes the JUnit XML to <paramref name="output"/>, which declares its encoding.</summary>
    public static void Write(RunResult run, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        using (var xml = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, CheckCharacters = false }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", run.Suite);
            Counts(xml, run.Cases);
            xml.WriteAttributeString("timestamp", run.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
            var trials = run.Cases.Any(c => c.Trial > 1);
            foreach (var variant in run.Cases.GroupBy(c => c.Variant, StringComparer.Ordinal))
            {
                xml.WriteStartElement("testsuite");
                xml.WriteAttributeString("name", $"{run.Suite}/{variant.Key}");
                Counts(xml, [.. variant]);
                foreach (var c in variant)
                {
                    Case(xml, run, c, trials);
                }

                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        output.Write('\n');
    }

    /// <summary>A string writer that says UTF-8, as the file will be.</summary>
    private sealed class Utf8StringWriter() : StringWriter(CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => AtomicFile.Utf8;
    }

    private static void Counts(XmlWriter xml, IReadOnlyCollection<CaseResult> cases)
    {
        xml.WriteAttributeString("tests", cases.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", cases.Count(c => !c.Passed && c.Error is null).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", cases.Count(c => c.Error is not null).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("skipped", "0");
        xml.WriteAttributeString("time", Seconds(cases.Sum(c => c.LatencyMs)));
    }

    private static void Case(XmlWriter xml, RunResult run, CaseResult c, bool trials)
    {
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("classname", $"{run.Suite}.{c.Variant}");
        xml.WriteAttributeString("name", !trials ? c.Scenario : $"{c.Scenario} (t{c.Trial})");
        xml.WriteAttributeString("time", Seconds(c.LatencyMs));
        xml.WriteStartElement("properties");
        Property(xml, "cassette", c.CassetteId);
        Property(xml, "model", c.Model);
        Property(xml, "outcome", c.Outcome);
        Property(xml, "steps", c.Steps.ToString(CultureInfo.InvariantCulture));
        Property(xml, "cost_usd", c.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "n/a");
        if (c.Tags.Count > 0)
        {
            Property(xml, "tags", string.Join(',', c.Tags));
        }

        if (c.Critical)
        {
            Property(xml, "critical", "true");
        }

        xml.WriteEndElement();
        if (c.Error is { } error)
        {
            xml.WriteStartElement("error");
            xml.WriteAttributeString("message", Clean(FirstLine(error)));
            xml.WriteAttributeString("type", "evaluation-error");
            xml.WriteString(Clean(error));
            xml.WriteEndElement();
        }
        else if (!c.Passed)
        {
            var failed = c.Verdicts.Where(v => !v.Passed).ToList();
            xml.WriteStartElement("failure");
            xml.WriteAttributeString("message", Clean(failed.Count > 0 ? failed[0].Reason : $"The run ended as {c.Outcome}: {c.OutcomeReason}"));
            xml.WriteAttributeString("type", failed.Count > 0 ? failed[0].Kind : "outcome");
            xml.WriteString(Clean(string.Join('\n', failed.Select(v => $"{v.Kind}: {v.Reason}"))));
            xml.WriteEndElement();
        }

        if (c.FinalOutput.Length > 0)
        {
            xml.WriteElementString("system-out", Clean(c.FinalOutput.Length > MaxOutput ? string.Concat(c.FinalOutput.AsSpan(0, MaxOutput), "…") : c.FinalOutput));
        }

        xml.WriteEndElement();
    }

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", Clean(value));
        xml.WriteEndElement();
    }

    private static string Seconds(double ms) => (ms / 1000).ToString("0.000", CultureInfo.InvariantCulture);

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');

    /// <summary>XML 1.0 cannot hold most control characters, even escaped; a model can emit them. They become U+FFFD.</summary>
    private static string Clean(string text)
    {
        if (!text.Any(ch => !XmlConvert.IsXmlChar(ch) && !char.IsSurrogate(ch)))
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            clean.Append(XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch) ? ch : '\uFFFD');
        }

        return clean.ToString();
    }
}
