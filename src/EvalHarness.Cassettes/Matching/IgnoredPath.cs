using System.Text;
using System.Text.RegularExpressions;

namespace EvalHarness.Cassettes.Matching;

/// <summary>
/// A path of request bodies that matching ignores (<c>cassettes.ignore</c>): <c>$</c>, then names (<c>.name</c>,
/// <c>['name']</c>), indexes (<c>[0]</c>, <c>[*]</c> for any) and the equality filter <c>[?(@.key=='value')]</c>, which
/// stands for the items of an array whose <c>key</c> is the string <c>value</c>. Other JSONPath forms are refused
/// rather than accepted and matched by nothing.
/// </summary>
public static partial class IgnoredPath
{
    /// <summary>The forms a path is written in, for messages.</summary>
    public const string Forms = "$.name, $['name'], [0], [*] and [?(@.key=='value')]";

    /// <summary>The path as matching compares it: names as <see cref="JsonDiff"/> writes them, filters in one spelling.</summary>
    /// <exception cref="FormatException">The path is not in one of the <see cref="Forms"/>.</exception>
    public static string Normalize(string path) => Parse(path).Canonical;

    /// <summary>The path in its one spelling, and its filters, each with the path of the array it selects items of.</summary>
    internal static (string Canonical, IReadOnlyList<IgnoreFilter> Filters) Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('$'))
        {
            throw Unsupported(path, "it must start with '$'");
        }

        var text = new StringBuilder("$");
        var filters = new List<IgnoreFilter>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                if (i + 1 < path.Length && path[i + 1] == '.')
                {
                    throw Unsupported(path, "recursive descent (..) is not supported");
                }

                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                var name = path[(i + 1)..end];
                if (name is "" or "*")
                {
                    throw Unsupported(path, name.Length == 0 ? "a '.' must be followed by a name" : ".* (any property) is not supported");
                }

                text.Append(JsonDiff.ChildPath(string.Empty, name));
                i = end;
                continue;
            }

            if (path[i] != '[')
            {
                throw Unsupported(path, $"'{path[i]}' at character {i + 1} does not start a name or an index");
            }

            if (path.AsSpan(i).StartsWith("[?(", StringComparison.Ordinal))
            {
                var close = path.IndexOf(")]", i, StringComparison.Ordinal);
                var filter = close < 0 ? null : EqualityFilter().Match(path[(i + 3)..close]);
                if (filter is not { Success: true })
                {
                    throw Unsupported(path, $"'{(close < 0 ? path[i..] : path[i..(close + 2)])}' is not supported: only the filter [?(@.key=='value')] (a key equal to a string) is");
                }

                var value = filter.Groups["single"].Success ? filter.Groups["single"].Value : filter.Groups["double"].Value;
                var selected = new IgnoreFilter(text.ToString(), filter.Groups["key"].Value, value);
                filters.Add(selected);
                text.Append(selected.Segment);
                i = close + 2;
                continue;
            }

            if (i + 1 < path.Length && path[i + 1] is '\'' or '"')
            {
                var quote = path[i + 1];
                var close = path.IndexOf($"{quote}]", i + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw Unsupported(path, $"the name at character {i + 1} has no closing {quote}]");
                }

                text.Append(JsonDiff.ChildPath(string.Empty, path[(i + 2)..close]));
                i = close + 2;
                continue;
            }

            var closeBracket = path.IndexOf(']', i);
            var inner = closeBracket < 0 ? path[(i + 1)..] : path[(i + 1)..closeBracket];
            if (closeBracket < 0 || !(inner == "*" || (inner.Length > 0 && inner.All(char.IsAsciiDigit))))
            {
                throw Unsupported(path, $"'[{inner}{(closeBracket < 0 ? string.Empty : "]")}' is not supported");
            }

            text.Append('[').Append(inner).Append(']');
            i = closeBracket + 1;
        }

        return (text.ToString(), filters);
    }

    private static FormatException Unsupported(string path, string why) =>
        new($"'{path}' is not a path matching can follow: {why}. Write it with {Forms}, e.g. $.messages[?(@.role=='tool')].content.");

    [GeneratedRegex("""^\s*@\.(?<key>[A-Za-z0-9_]+)\s*==\s*(?:'(?<single>[^']*)'|"(?<double>[^"]*)")\s*$""")]
    private static partial Regex EqualityFilter();
}
