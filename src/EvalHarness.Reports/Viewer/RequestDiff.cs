using System.Text.Json;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Viewer;

/// <summary>One place two cases' traffic differs: a JSON path and the value on each side (null: not there).</summary>
internal sealed record RequestDifference(string Path, string? A, string? B);

/// <summary>
/// Where two runs of a case sent their model different requests, by JSON path as a cassette miss names it: each
/// request carries the conversation so far, so the first message that differs is where the requests part
/// (<c>$.messages[5].content</c>), and a tool call's arguments are compared field by field
/// (<c>$.tool_calls[0].arguments.order_id</c>). Read from each run's results (transcript, tool calls, tool servers' calls):
/// a run's folder keeps them, while the cassette a replay read may have been recorded again since.
/// </summary>
internal static class RequestDiff
{
    /// <summary>The most differences listed for a case.</summary>
    public const int Max = 40;

    private const int Shown = 400;

    public static IReadOnlyList<RequestDifference> Between(CaseResult a, CaseResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var found = new List<RequestDifference>();
        Items(found, "$.messages", a.Transcript, b.Transcript, (path, x, y) =>
        {
            Text(found, path + ".role", x.Role, y.Role);
            Text(found, path + ".content", x.Text, y.Text);
        }, m => $"{m.Role}: {m.Text}");
        Calls(found, "$.tool_calls", a.ToolCalls, b.ToolCalls);
        Calls(found, "$.server_calls", a.ServerCalls ?? [], b.ServerCalls ?? []);
        return found.Count > Max ? found[..Max] : found;
    }

    private static void Calls(List<RequestDifference> found, string at, IReadOnlyList<ToolCallResult> a, IReadOnlyList<ToolCallResult> b) =>
        Items(found, at, a, b, (path, x, y) =>
        {
            Text(found, path + ".name", x.Agent is null ? x.Tool : $"{x.Agent} {x.Tool}", y.Agent is null ? y.Tool : $"{y.Agent} {y.Tool}");
            Json(found, path + ".arguments", x.Arguments, y.Arguments);
            Json(found, path + ".result", x.Result, y.Result);
        }, t => $"{t.Tool}({t.Arguments})");

    private static void Items<T>(List<RequestDifference> found, string at, IReadOnlyList<T> a, IReadOnlyList<T> b, Action<string, T, T> both, Func<T, string> show)
    {
        for (var i = 0; i < Math.Max(a.Count, b.Count) && found.Count <= Max; i++)
        {
            var path = $"{at}[{i}]";
            if (i < a.Count && i < b.Count)
            {
                both(path, a[i], b[i]);
            }
            else
            {
                found.Add(new RequestDifference(path, i < a.Count ? Cut(show(a[i])) : null, i < b.Count ? Cut(show(b[i])) : null));
            }
        }
    }

    private static void Text(List<RequestDifference> found, string path, string a, string b)
    {
        if (!string.Equals(a, b, StringComparison.Ordinal))
        {
            found.Add(new RequestDifference(path, Cut(a), Cut(b)));
        }
    }

    /// <summary>Two texts compared as JSON when both are JSON (down to the field that differs), else as text.</summary>
    private static void Json(List<RequestDifference> found, string path, string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return;
        }

        using var left = TryParse(a);
        using var right = TryParse(b);
        if (left is null || right is null)
        {
            Text(found, path, a, b);
            return;
        }

        Elements(found, path, left.RootElement, right.RootElement);
    }

    private static void Elements(List<RequestDifference> found, string path, JsonElement a, JsonElement b)
    {
        if (found.Count > Max)
        {
            return;
        }

        if (a.ValueKind == JsonValueKind.Object && b.ValueKind == JsonValueKind.Object)
        {
            var names = a.EnumerateObject().Select(p => p.Name).Union(b.EnumerateObject().Select(p => p.Name), StringComparer.Ordinal);
            foreach (var name in names)
            {
                var child = name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
                var (inA, inB) = (a.TryGetProperty(name, out var x), b.TryGetProperty(name, out var y));
                if (inA && inB)
                {
                    Elements(found, child, x, y);
                }
                else
                {
                    found.Add(new RequestDifference(child, inA ? Cut(x.GetRawText()) : null, inB ? Cut(y.GetRawText()) : null));
                }
            }
        }
        else if (a.ValueKind == JsonValueKind.Array && b.ValueKind == JsonValueKind.Array)
        {
            var (x, y) = (a.EnumerateArray().ToList(), b.EnumerateArray().ToList());
            for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
            {
                if (i < x.Count && i < y.Count)
                {
                    Elements(found, $"{path}[{i}]", x[i], y[i]);
                }
                else
                {
                    found.Add(new RequestDifference($"{path}[{i}]", i < x.Count ? Cut(x[i].GetRawText()) : null, i < y.Count ? Cut(y[i].GetRawText()) : null));
                }
            }
        }
        else if (!JsonElement.DeepEquals(a, b))
        {
            found.Add(new RequestDifference(path, Cut(a.GetRawText()), Cut(b.GetRawText())));
        }
    }

    private static JsonDocument? TryParse(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] is not ('{' or '['))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Cut(string text) => text.Length <= Shown ? text : string.Concat(text.AsSpan(0, Shown), "…");
}
