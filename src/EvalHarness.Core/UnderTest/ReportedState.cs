using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// Reads <c>expect.state</c> paths in the end state an own agent reports: a key of that exact name first
/// (<c>"orders.A100.status": "refunded"</c>), else a walk through nested objects, where <c>name[2]</c> indexes an
/// array and a last segment <c>count</c> that is not a key counts the array or object before it.
/// </summary>
internal static partial class ReportedState
{
    /// <summary>Whether a path can be read: dot-separated names, each with optional <c>[n]</c> indexes.</summary>
    public static bool IsValid(string path) => Pattern().IsMatch(path);

    /// <summary>The value at <paramref name="path"/>, or null when the state has nothing there.</summary>
    public static JsonElement? Read(JsonElement state, string path)
    {
        if (state.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (state.TryGetProperty(path, out var exact))
        {
            return exact;
        }

        var current = state;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var match = Segment().Match(segments[i]);
            var name = match.Groups["name"].Value;
            var last = i == segments.Length - 1;
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out var child))
            {
                current = child;
            }
            else if (last && name == "count" && !match.Groups["index"].Success && current.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            {
                return JsonSerializer.SerializeToElement(current.ValueKind == JsonValueKind.Array ? current.GetArrayLength() : current.EnumerateObject().Count());
            }
            else
            {
                return null;
            }

            foreach (Capture index in match.Groups["index"].Captures)
            {
                // An index too big for an int is past the end of any array.
                if (!int.TryParse(index.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var at) || current.ValueKind != JsonValueKind.Array || at >= current.GetArrayLength())
                {
                    return null;
                }

                current = current[at];
            }
        }

        return current;
    }

    [GeneratedRegex(@"^[^.\[\]\s]+(\[[0-9]+\])*(\.[^.\[\]\s]+(\[[0-9]+\])*)*$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(?<name>[^\[]+)(\[(?<index>[0-9]+)\])*$")]
    private static partial Regex Segment();
}
