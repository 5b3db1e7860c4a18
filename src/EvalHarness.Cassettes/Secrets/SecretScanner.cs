using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EvalHarness.Cassettes.Secrets;

/// <summary>Scrubs bodies and query strings, and finds credentials that must not be written to a cassette.</summary>
public static partial class SecretScanner
{
    /// <summary>Query parameters whose values are credentials.</summary>
    private static readonly HashSet<string> SecretQueryKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "api-key", "api_key", "apikey", "key", "token", "access_token", "auth", "sig", "signature", "x-api-key",
    };

    /// <summary>The shapes of common credentials, by name.</summary>
    private static readonly (string Name, Regex Pattern)[] KeyShapes =
    [
        ("an Anthropic API key", AnthropicKey()),
        ("an OpenAI API key", OpenAIKey()),
        ("a bearer token", BearerToken()),
        ("an AWS access key", AwsKey()),
        ("a GitHub token", GitHubToken()),
        ("a Slack token", SlackToken()),
        ("a Google API key", GoogleKey()),
    ];

    /// <summary>A query string with the values of credential parameters replaced.</summary>
    public static string ScrubQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return string.Empty;
        }

        var parts = query.TrimStart('?').Split('&').Select(part =>
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            return eq > 0 && SecretQueryKeys.Contains(Uri.UnescapeDataString(part[..eq])) ? $"{part[..eq]}=[scrubbed]" : part;
        });
        return "?" + string.Join('&', parts);
    }

    /// <summary>A JSON value with every string passed through the scrubbers.</summary>
    public static JsonElement Scrub(JsonElement value, IReadOnlyList<Scrubber> scrubbers)
    {
        if (scrubbers.Count == 0 || value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.String))
        {
            return value;
        }

        var node = JsonNode.Parse(value.GetRawText());
        return JsonSerializer.SerializeToElement(ScrubNode(node, scrubbers));
    }

    /// <summary>Scrubs the strings of a node in place; returns the replacement for a string value, else the node.</summary>
    private static JsonNode? ScrubNode(JsonNode? node, IReadOnlyList<Scrubber> scrubbers)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is JsonValue)
                    {
                        o[key] = ScrubNode(child, scrubbers);
                    }
                    else
                    {
                        ScrubNode(child, scrubbers);
                    }
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue)
                    {
                        a[i] = ScrubNode(a[i], scrubbers);
                    }
                    else
                    {
                        ScrubNode(a[i], scrubbers);
                    }
                }

                return a;
            case JsonValue v when v.TryGetValue<string>(out var text):
                return JsonValue.Create(scrubbers.Aggregate(text, (t, s) => s.Pattern.Replace(t, s.Replacement)));
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>What credential a text holds, and where, or null: the live keys given, then common key shapes.</summary>
    public static string? FindSecret(string text, IEnumerable<string> liveKeys)
    {
        foreach (var key in liveKeys.Where(k => k.Length >= 8))
        {
            var at = text.IndexOf(key, StringComparison.Ordinal);
            if (at >= 0)
            {
                return $"the live API key (at {Where(text, at)})";
            }
        }

        foreach (var (name, pattern) in KeyShapes)
        {
            if (pattern.Match(text) is { Success: true } match)
            {
                return $"what looks like {name} (at {Where(text, match.Index)})";
            }
        }

        return null;
    }

    private static string Where(string text, int index)
    {
        var line = 1 + text.AsSpan(0, index).Count('\n');
        return $"line {line}";
    }

    [GeneratedRegex(@"\bsk-(proj-)?[A-Za-z0-9_-]{20,}")]
    private static partial Regex OpenAIKey();

    [GeneratedRegex(@"\bsk-ant-[A-Za-z0-9_-]{20,}")]
    private static partial Regex AnthropicKey();

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*")]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"\bAKIA[0-9A-Z]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"\bgh[pousr]_[A-Za-z0-9]{36,}\b")]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bxox[abprs]-[A-Za-z0-9-]{10,}")]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"\bAIza[0-9A-Za-z_-]{35}\b")]
    private static partial Regex GoogleKey();
}
