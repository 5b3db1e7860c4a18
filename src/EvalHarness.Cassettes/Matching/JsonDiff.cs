using System.Text.Json;

namespace EvalHarness.Cassettes.Matching;

/// <summary>Finds the first difference between two JSON values, ignoring object key order.</summary>
public static class JsonDiff
{
    private const int MaxShown = 120;

    /// <summary>Returns the first difference, or null when the values are equal.</summary>
    /// <param name="expected">The recorded value.</param>
    /// <param name="actual">The value seen now.</param>
    /// <param name="ignoredPaths">Paths such as <c>$.user</c> whose values are not compared.</param>
    public static JsonDifference? First(JsonElement expected, JsonElement actual, IReadOnlySet<string>? ignoredPaths = null) =>
        Compare(expected, actual, "$", "$", ignoredPaths ?? new HashSet<string>());

    /// <summary>
    /// Compares two values at <paramref name="path"/>; <paramref name="pattern"/> is the same path with every
    /// index written <c>[*]</c>, built alongside so that ignored paths are looked up without rewriting.
    /// </summary>
    private static JsonDifference? Compare(JsonElement expected, JsonElement actual, string path, string pattern, IReadOnlySet<string> ignored)
    {
        static bool Ignored(string path, string pattern, IReadOnlySet<string> ignored) =>
            ignored.Count > 0 && (ignored.Contains(path) || ignored.Contains(pattern));

        if (Ignored(path, pattern, ignored))
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
                    if (!actual.TryGetProperty(property.Name, out var other))
                    {
                        return Ignored(childPath, childPattern, ignored) ? null : new JsonDifference(childPath, Show(property.Value), "(missing)");
                    }

                    if (Compare(property.Value, other, childPath, childPattern, ignored) is { } difference)
                    {
                        return difference;
                    }
                }

                foreach (var property in actual.EnumerateObject())
                {
                    if (!expected.TryGetProperty(property.Name, out _))
                    {
                        var childPath = ChildPath(path, property.Name);
                        if (!Ignored(childPath, ChildPath(pattern, property.Name), ignored))
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

                    if (Compare(left.Current, right.Current, childPath, itemPattern, ignored) is { } difference)
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

    private static string ChildPath(string path, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private static string Show(JsonElement value)
    {
        var text = JsonSerializer.Serialize(value, QuoteOptions);
        return text.Length <= MaxShown ? text : string.Concat(text.AsSpan(0, MaxShown), "…");
    }
}
