using EvalHarness.Cassettes.Protocols.Anthropic;
using EvalHarness.Cassettes.Protocols.Azure;
using EvalHarness.Cassettes.Protocols.Gemini;
using EvalHarness.Cassettes.Protocols.Ollama;
using EvalHarness.Cassettes.Protocols.OpenAI;

namespace EvalHarness.Cassettes.Protocols;

/// <summary>The wire protocols the harness speaks, and the one place a request's URL is read into a cassette id and a protocol.</summary>
public static class WireProtocols
{
    /// <summary>Every protocol, in the order a model's provider is listed.</summary>
    public static IReadOnlyList<WireProtocol> All { get; } =
        [OpenAIProtocol.Instance, AnthropicProtocol.Instance, AzureOpenAIProtocol.Instance, GeminiProtocol.Instance, OllamaProtocol.Instance];

    /// <summary>The protocol of every path no other protocol claims: OpenAI's, which OpenAI-compatible servers speak.</summary>
    public static WireProtocol OpenAICompatible => OpenAIProtocol.Instance;

    /// <summary>The protocol named <paramref name="name"/> (<c>openai</c>, <c>anthropic</c> …), or null.</summary>
    public static WireProtocol? Find(string? name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// The protocol of a path as a cassette records it (<c>v1/chat/completions</c>, with or without its query): the one
    /// whose path it is, whole; OpenAI's for any other path.
    /// </summary>
    public static WireProtocol ForRecordedPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('?', 2)[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        WireProtocol? best = null;
        foreach (var protocol in All)
        {
            if (protocol.Paths.Any(p => p.Matches(segments, 0)))
            {
                best ??= protocol;
            }
        }

        return best ?? OpenAICompatible;
    }

    /// <summary>
    /// Splits what follows <c>/c/</c> in a request's URL into the cassette id and the protocol's path. The id ends where
    /// a known protocol path begins, found from the end of the URL, so ids may hold any segment (<c>v1</c>, <c>openai</c>,
    /// <c>api</c>): <c>suite/v1/scenario/t1/v1/chat/completions</c> is cassette <c>suite/v1/scenario/t1</c>. Of two paths
    /// that both fit, the longer one wins when the request carries its marker (<paramref name="hasMarker"/>), so a
    /// variant named <c>openai</c> is not read as Azure's <c>openai/v1/…</c>. A path no protocol knows is cut at its last
    /// <c>v1</c> segment, for the OpenAI-compatible servers' other endpoints.
    /// </summary>
    internal static bool TryRoute(string rest, Func<string, bool> hasMarker, out string cassetteId, out string providerPath, out WireProtocol protocol)
    {
        // An endpoint given with a trailing slash makes some clients send '//' before their path: it is no segment.
        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (bestLength, best) = (0, (WireProtocol?)null);
        foreach (var candidate in All)
        {
            foreach (var path in candidate.Paths)
            {
                if (path.Length > bestLength && path.Length < segments.Length && path.Matches(segments, segments.Length - path.Length)
                    && (path.Marker is null || hasMarker(path.Marker)))
                {
                    (bestLength, best) = (path.Length, candidate);
                }
            }
        }

        if (best is null)
        {
            var root = Array.LastIndexOf(segments, OpenAIProtocol.CompatibleRoot);
            if (root > 0 && root < segments.Length - 1)
            {
                (bestLength, best) = (segments.Length - root, OpenAICompatible);
            }
        }

        if (best is null)
        {
            (cassetteId, providerPath, protocol) = (string.Empty, string.Empty, OpenAICompatible);
            return false;
        }

        cassetteId = string.Join('/', segments.Take(segments.Length - bestLength));
        providerPath = string.Join('/', segments.Skip(segments.Length - bestLength));
        protocol = best;
        return true;
    }
}
