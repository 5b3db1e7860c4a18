using System.Globalization;
using System.Text;

namespace EvalHarness.Reports.Csv;

/// <summary>
/// RFC 4180 comma-separated text, as cases.csv and the history file are written and read: CRLF line ends, a field in
/// double quotes when it holds a comma, a quote or a line break (its quotes doubled), numbers and booleans in the
/// invariant culture (<c>True</c>, <c>813.7</c>, a decimal with its own scale). Text that a spreadsheet would run as a
/// formula (<c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return first) gets a <c>'</c> before it.
/// </summary>
/// <remarks>
/// Written by hand: a run writes one file and reads one, and the library it replaced cost about a tenth of a second of
/// start-up in each run (docs/performance.md).
/// </remarks>
internal sealed class CsvText
{
    private const string LineEnd = "\r\n";

    private readonly StringBuilder _text = new();
    private bool _lineStarted;

    /// <summary>Appends a text field, escaped as a formula when it looks like one.</summary>
    public CsvText Text(string? value)
    {
        Separator();
        value ??= string.Empty;
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            _text.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            _text.Append(value);
        }

        return this;
    }

    /// <summary>Appends a whole number.</summary>
    public CsvText Value(long value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends a number in its shortest round-trip form, e.g. <c>813.7</c>.</summary>
    public CsvText Value(double value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Appends an amount with its own scale (<c>0.00030390</c>); null is an empty field.</summary>
    public CsvText Value(decimal? value) => Raw(value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);

    /// <summary>Appends <c>True</c> or <c>False</c>.</summary>
    public CsvText Value(bool value) => Raw(value ? "True" : "False");

    /// <summary>Appends a header line of the given column names.</summary>
    public CsvText Header(IEnumerable<string> columns)
    {
        foreach (var column in columns)
        {
            Text(column);
        }

        return EndLine();
    }

    /// <summary>Ends the current line.</summary>
    public CsvText EndLine()
    {
        _text.Append(LineEnd);
        _lineStarted = false;
        return this;
    }

    /// <summary>The text so far, UTF-8 without a byte order mark.</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    /// <inheritdoc />
    public override string ToString() => _text.ToString();

    /// <summary>
    /// The records of CSV text, each with the line it starts on (1-based); quoted fields may hold commas, doubled quotes
    /// and line breaks. Lines end in CRLF or LF; an empty line is no record.
    /// </summary>
    /// <exception cref="FormatException">A quote is not closed, or text follows a closing quote; the message gives the line.</exception>
    public static IEnumerable<(int Line, List<string> Fields)> Read(TextReader reader)
    {
        var line = 1;
        var fields = new List<string>();
        var field = new StringBuilder();
        var recordLine = 1;
        var quoted = false;
        var afterQuote = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    afterQuote = false;
                    break;
                case '\r' when reader.Peek() == '\n':
                    break;
                case '\n':
                    if (fields.Count > 0 || field.Length > 0 || afterQuote)
                    {
                        fields.Add(field.ToString());
                        yield return (recordLine, fields);
                        fields = [];
                    }

                    field.Clear();
                    afterQuote = false;
                    recordLine = ++line;
                    break;
                case '"' when field.Length == 0 && !afterQuote:
                    quoted = true;
                    break;
                default:
                    if (afterQuote)
                    {
                        throw new FormatException($"line {line}: text after a closing quote");
                    }

                    field.Append((char)c);
                    break;
            }
        }

        if (quoted)
        {
            throw new FormatException($"line {recordLine}: a quoted field is not closed");
        }

        if (fields.Count > 0 || field.Length > 0 || afterQuote)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields);
        }
    }

    private CsvText Raw(string value)
    {
        Separator();
        _text.Append(value);
        return this;
    }

    private void Separator()
    {
        if (_lineStarted)
        {
            _text.Append(',');
        }

        _lineStarted = true;
    }
}
