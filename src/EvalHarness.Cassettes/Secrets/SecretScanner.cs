using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EvalHarness.Cassettes.Secrets;

/// <summary>Scrubs bodies and query strings, and finds credentials that must not be written to a cassette.</summary>
public static partial class SecretScanner
{
    /// <summary>
    /// Request headers whose values are credentials (the providers' own and the common generic ones). Their values
    /// are live keys: never written, and a file that would contain one is refused.
    /// </summary>
    private static readonly HashSet<string> CredentialHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "api-key", "x-api-key", "x-goog-api-key", "anthropic-api-key",
        "openai-organization", "openai-project", "ocp-apim-subscription-key", "x-auth-token", "x-access-token",
        "cookie", "x-amz-security-token",
    };

    /// <summary>The words that make a query parameter's name a credential's, as one of its parts (split at - _ .).</summary>
    private static readonly HashSet<string> CredentialWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "key", "apikey", "accesskey", "token", "secret", "password", "passwd", "pwd", "auth", "sig", "signature",
        "credential", "credentials", "session", "sessionid",
    };

    /// <summary>True for a header whose value is a credential (<c>authorization</c>, <c>api-key</c>, <c>x-goog-api-key</c> …).</summary>
    public static bool IsCredentialHeader(string name) => CredentialHeaders.Contains(name);

    /// <summary>The keys a credential header carries: its values without an auth scheme (<c>Bearer</c>, <c>Basic</c> …).</summary>
    public static IEnumerable<string> KeysOf(IEnumerable<string?> values)
    {
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            var space = value.IndexOf(' ', StringComparison.Ordinal);
            yield return space > 0 && value.AsSpan(0, space).IndexOfAnyExcept(AsciiLetters) < 0 ? value[(space + 1)..].Trim() : value.Trim();
        }
    }

    private static readonly System.Buffers.SearchValues<char> AsciiLetters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>
    /// True for a query parameter whose name looks like a credential's: one of its parts (split at <c>-</c>, <c>_</c>
    /// and <c>.</c>) is a word such as key, token, secret, password or sig (<c>api-key</c>, <c>client_secret</c>,
    /// <c>X-Amz-Signature</c>), or it ends in one (<c>apikey</c>, <c>accesstoken</c>).
    /// </summary>
    public static bool IsCredentialQueryKey(string name)
    {
        foreach (var part in name.Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (CredentialWords.Contains(part))
            {
                return true;
            }
        }

        return name.EndsWith("key", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("token", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("secret", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("password", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A header value kept in a cassette's metadata (the client's <c>User-Agent</c>) with the live keys and anything
    /// shaped like a credential replaced by <c>[scrubbed]</c>.
    /// </summary>
    public static string ScrubText(string text, IEnumerable<string> liveKeys)
    {
        foreach (var key in liveKeys.Where(k => k.Length >= 8))
        {
            text = text.Replace(key, "[scrubbed]", StringComparison.Ordinal);
        }

        foreach (var (_, pattern) in KeyShapes)
        {
            text = pattern.Replace(text, "[scrubbed]");
        }

        return text;
    }

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
            return eq > 0 && IsCredentialQueryKey(Uri.UnescapeDataString(part[..eq])) ? $"{part[..eq]}=[scrubbed]" : part;
        });
        return "?" + string.Join('&', parts);
    }

    /// <summary>
    /// The values of a query string's credential parameters (those <see cref="ScrubQuery"/> scrubs), as sent and
    /// unescaped: live keys like a credential header's, which an upstream that echoes its request would otherwise
    /// write into a response body.
    /// </summary>
    public static IEnumerable<string> CredentialQueryValues(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            yield break;
        }

        foreach (var part in query.TrimStart('?').Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1 || !IsCredentialQueryKey(Uri.UnescapeDataString(part[..eq])))
            {
                continue;
            }

            var value = part[(eq + 1)..];
            yield return value;
            if (Uri.UnescapeDataString(value) is var unescaped && unescaped != value)
            {
                yield return unescaped;
            }
        }
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
