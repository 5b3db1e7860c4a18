using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.Core.Assertions;

/// <summary>The small JSON path subset assertions use: <c>$</c>, <c>.name</c>, <c>['name']</c>, <c>[index]</c>.</summary>
internal static partial class JsonPath
{
    /// <summary>Whether <paramref name="path"/> is in the supported subset.</summary>
    public static bool IsValid(string path) => Pattern().IsMatch(path);

    /// <summary>The value at <paramref name="path"/>, or null when there is none.</summary>
    public static JsonElement? Select(JsonElement root, string path)
    {
        if (!IsValid(path))
        {
            throw new ArgumentException($"'{path}' is not a supported JSON path: use $, .name, ['name'] and [index].", nameof(path));
        }

        var current = root;
        foreach (Match step in Step().Matches(path[1..]))
        {
            if (step.Groups["index"].Success)
            {
                // An index too big for an int is past the end of any array.
                if (!int.TryParse(step.Groups["index"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[index];
                continue;
            }

            var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value;
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    [GeneratedRegex(@"^\$(\.[A-Za-z_][A-Za-z0-9_-]*|\['[^']+'\]|\[[0-9]+\])*$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"\.(?<name>[A-Za-z_][A-Za-z0-9_-]*)|\['(?<quoted>[^']+)'\]|\[(?<index>[0-9]+)\]")]
    private static partial Regex Step();
}
