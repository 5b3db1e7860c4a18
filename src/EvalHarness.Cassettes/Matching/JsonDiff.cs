using System.Runtime.CompilerServices;
using System.Text.Json;

namespace EvalHarness.Cassettes.Matching;

/// <summary>Finds the first difference between two JSON values, ignoring object key order.</summary>
public static class JsonDiff
{
    private const int MaxShown = 120;

    /// <summary>Returns the first difference, or null when the values are equal.</summary>
    /// <param name="expected">The recorded value.</param>
    /// <param name="actual">The value seen now.</param>
    /// <param name="ignoredPaths">Paths such as <c>$.user</c> whose values are not compared, in the forms of <see cref="IgnoredPath"/>.</param>
    public static JsonDifference? First(JsonElement expected, JsonElement actual, IReadOnlySet<string>? ignoredPaths = null) =>
        Compare(expected, actual, "$", "$", null, ignoredPaths is { Count: > 0 } paths ? Ignored.For(paths) : Ignored.None);

    /// <summary>
    /// Compares two values at <paramref name="path"/>; <paramref name="pattern"/> is the same path with every
    /// index written <c>[*]</c>, built alongside so that ignored paths are looked up without rewriting, and
    /// <paramref name="filtered"/> the same again with a filter for an index where an ignored path's filter selects
    /// the item on both sides (null while none does).
    /// </summary>
    private static JsonDifference? Compare(JsonElement expected, JsonElement actual, string path, string pattern, string[]? filtered, Ignored ignored)
    {
        if (ignored.Contains(path, pattern, filtered))
        {
            return null;
        }

        if (expected.ValueKind != actual.ValueKind
            && !(IsBoolean(expected) && IsBoolean(actual)))
        {
            return Differ(path, expected, actual);
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    var childPath = ChildPath(path, property.Name);
                    var childPattern = ChildPath(pattern, property.Name);
                    var childFiltered = Children(filtered, property.Name);
                    if (!actual.TryGetProperty(property.Name, out var other))
                    {
                        return ignored.Contains(childPath, childPattern, childFiltered) ? null : new JsonDifference(childPath, Show(property.Value), "(missing)");
                    }

                    if (Compare(property.Value, other, childPath, childPattern, childFiltered, ignored) is { } difference)
                    {
                        return difference;
                    }
                }

                foreach (var property in actual.EnumerateObject())
                {
                    if (!expected.TryGetProperty(property.Name, out _))
                    {
                        var childPath = ChildPath(path, property.Name);
                        if (!ignored.Contains(childPath, ChildPath(pattern, property.Name), Children(filtered, property.Name)))
                        {
                            return new JsonDifference(childPath, "(missing)", Show(property.Value));
                        }
                    }
                }

                return null;

            case JsonValueKind.Array:
                var left = expected.EnumerateArray().GetEnumerator();
                var right = actual.EnumerateArray().GetEnumerator();
                var itemPattern = $"{pattern}[*]";
                for (var index = 0; ; index++)
                {
                    var hasLeft = left.MoveNext();
                    var hasRight = right.MoveNext();
                    var childPath = $"{path}[{index}]";
                    if (!hasLeft && !hasRight)
                    {
                        return null;
                    }

                    if (!hasLeft || !hasRight)
                    {
                        return new JsonDifference(childPath, hasLeft ? Show(left.Current) : "(missing)", hasRight ? Show(right.Current) : "(missing)");
                    }

                    var itemFiltered = ignored.Items(path, pattern, filtered, left.Current, right.Current);
                    if (Compare(left.Current, right.Current, childPath, itemPattern, itemFiltered, ignored) is { } difference)
                    {
                        return difference;
                    }
                }

            case JsonValueKind.Number:
                return expected.GetRawText() == actual.GetRawText()
                    || (expected.TryGetDecimal(out var a) && actual.TryGetDecimal(out var b) && a == b)
                    ? null : Differ(path, expected, actual);

            case JsonValueKind.String:
                return expected.ValueEquals(actual.GetString()) ? null : DifferInText(path, expected.GetString()!, actual.GetString()!);

            default:
                return expected.ValueKind == actual.ValueKind ? null : Differ(path, expected, actual);
        }
    }

    private static string[]? Children(string[]? filtered, string name) =>
        filtered is null ? null : Array.ConvertAll(filtered, p => ChildPath(p, name));

    private static bool IsBoolean(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False;

    private static JsonDifference Differ(string path, JsonElement expected, JsonElement actual) => new(path, Show(expected), Show(actual));

    /// <summary>For long texts, shows both around the first character that differs, not just their common start.</summary>
    private static JsonDifference DifferInText(string path, string expected, string actual)
    {
        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        if (expected.Length <= MaxShown && actual.Length <= MaxShown)
        {
            return new(path, Quote(expected), Quote(actual));
        }

        var start = Math.Max(0, at - 30);
        string Excerpt(string text)
        {
            var length = Math.Min(text.Length - start, 60);
            var inner = Quote(text.Substring(start, Math.Max(0, length)))[1..^1];
            return $"\"{(start > 0 ? "…" : string.Empty)}{inner}{(start + length < text.Length ? "…" : string.Empty)}\"";
        }

        return new($"{path} (from character {at + 1})", Excerpt(expected), Excerpt(actual));
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A property's path below <paramref name="path"/>: <c>.name</c>, or <c>['name']</c> for a name that is not a plain word.</summary>
    internal static string ChildPath(string path, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private static string Show(JsonElement value)
    {
        var text = JsonSerializer.Serialize(value, QuoteOptions);
        return text.Length <= MaxShown ? text : string.Concat(text.AsSpan(0, MaxShown), "…");
    }

    /// <summary>A comparison's ignored paths: the plain ones looked up as written, and the filters by the array they select items of.</summary>
    private sealed class Ignored
    {
        /// <summary>Compiled once per set of paths (a server's, for its life), not per comparison.</summary>
        private static readonly ConditionalWeakTable<IReadOnlySet<string>, Ignored> Compiled = new();

        private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
        private readonly List<IgnoreFilter> _filters = [];

        public static Ignored None { get; } = new();

        public static Ignored For(IReadOnlySet<string> paths) => Compiled.GetValue(paths, static paths =>
        {
            var ignored = new Ignored();
            foreach (var path in paths)
            {
                try
                {
                    var (canonical, filters) = IgnoredPath.Parse(path);
                    ignored._paths.Add(canonical);
                    ignored._filters.AddRange(filters);
                }
                catch (FormatException)
                {
                    // Suites are checked when loaded; a path given in code in another form is looked up as written.
                    ignored._paths.Add(path);
                }
            }

            return ignored;
        });

        public bool Contains(string path, string pattern, string[]? filtered) =>
            _paths.Count > 0 && (_paths.Contains(path) || _paths.Contains(pattern) || (filtered is not null && Array.Exists(filtered, _paths.Contains)));

        /// <summary>
        /// The filtered paths of an array's item: the array's own, indexed <c>[*]</c>, and a filter's wherever it selects
        /// the item in both bodies (an item that is a tool result in one and not in the other is compared whole).
        /// </summary>
        public string[]? Items(string path, string pattern, string[]? filtered, JsonElement left, JsonElement right)
        {
            if (_filters.Count == 0)
            {
                return null;
            }

            var items = filtered is null ? [] : new List<string>(Array.ConvertAll(filtered, p => $"{p}[*]"));
            foreach (var filter in _filters)
            {
                if ((filter.Prefix == path || filter.Prefix == pattern || (filtered is not null && Array.IndexOf(filtered, filter.Prefix) >= 0))
                    && filter.Selects(left) && filter.Selects(right))
                {
                    items.Add(filter.Prefix + filter.Segment);
                }
            }

            return items.Count == 0 ? null : [.. items];
        }
    }
}
