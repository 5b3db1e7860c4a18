using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Matching;

namespace EvalHarness.Cassettes.Tools;

/// <summary>
/// Finds a tool request's recorded exchange: the first unused one of the same server that asks the same. Tool calls
/// are matched without regard to their order among each other and the model's calls (an agent may run tools in
/// parallel); what is compared is what the server acts on: an MCP message's method and params (its JSON-RPC id and
/// <c>_meta</c> are the client's own), an HTTP request's method, path, query and body.
/// </summary>
internal static class ToolMatcher
{
    /// <summary>An exchange found, or the nearest one and where it differs.</summary>
    public readonly record struct Found(int Index, ToolExchange? Nearest, JsonDifference? Difference);

    /// <summary>
    /// MCP methods answered by the recorded handshake whatever their params: a new client version sends another
    /// <c>clientInfo</c>. (<c>server/discover</c> is the handshake of the C# SDK 2.4 against a server that offers it.)
    /// </summary>
    private static readonly HashSet<string> ByMethodOnly = new(StringComparer.Ordinal) { "initialize", "server/discover", "ping" };

    /// <summary>Finds the exchange for <paramref name="request"/> to <paramref name="server"/> among <paramref name="recorded"/>.</summary>
    public static Found Find(IReadOnlyList<ToolExchange> recorded, bool[] used, ToolServer server, RecordedRequest request)
    {
        var actual = Comparable(server.Kind, request);
        var nearest = -1;
        for (var i = 0; i < recorded.Count; i++)
        {
            var candidate = recorded[i];
            if (used[i] || candidate.Server != server.Name || candidate.Kind != server.Kind || candidate.Request.Method != request.Method)
            {
                continue;
            }

            if ((server.IsMcp && ByMethodOnly.Contains(request.Method)) || JsonDiff.First(Comparable(server.Kind, candidate.Request), actual) is null)
            {
                return new Found(i, null, null);
            }

            // The nearest is the first of the same tool (MCP) or path (HTTP), else the first of the same method.
            if (nearest < 0 || (!SameTarget(server.Kind, recorded[nearest].Request, request) && SameTarget(server.Kind, candidate.Request, request)))
            {
                nearest = i;
            }
        }

        return nearest < 0
            ? new Found(-1, null, null)
            : new Found(-1, recorded[nearest], JsonDiff.First(Comparable(server.Kind, recorded[nearest].Request), actual));
    }

    /// <summary>How a request is named in messages: <c>tools/call inventory.check_stock</c>, <c>GET prices /price?sku=A1</c>.</summary>
    public static string Describe(ToolServer server, RecordedRequest request) => server.IsMcp
        ? $"{request.Method} {server.Name}{(ToolName(request) is { } tool ? "." + tool : string.Empty)}"
        : $"{request.Method} {server.Name} {request.Path}";

    /// <summary>The tool a <c>tools/call</c> (or the prompt a <c>prompts/get</c>, the resource a <c>resources/read</c>) names.</summary>
    public static string? ToolName(RecordedRequest request) =>
        request.Body.ValueKind == JsonValueKind.Object && request.Body.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object
            && (p.TryGetProperty("name", out var name) || p.TryGetProperty("uri", out name)) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;

    private static bool SameTarget(string kind, RecordedRequest a, RecordedRequest b) => kind == ToolKinds.Mcp
        ? ToolName(a) == ToolName(b)
        : a.Path.Split('?', 2)[0] == b.Path.Split('?', 2)[0];

    /// <summary>What is compared, as JSON whose paths read well in a miss: <c>$.params.arguments.sku</c>, <c>$.query.sku</c>.</summary>
    private static JsonElement Comparable(string kind, RecordedRequest request)
    {
        var compared = new JsonObject();
        if (kind == ToolKinds.Mcp)
        {
            var parameters = request.Body.ValueKind == JsonValueKind.Object && request.Body.TryGetProperty("params", out var p) ? JsonNode.Parse(p.GetRawText()) : null;
            (parameters as JsonObject)?.Remove("_meta");
            compared["params"] = parameters;
        }
        else
        {
            var parts = request.Path.Split('?', 2);
            compared["path"] = parts[0];
            var query = new JsonObject();
            foreach (var pair in (parts.Length > 1 ? parts[1] : string.Empty).Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                var name = Uri.UnescapeDataString(kv[0].Replace('+', ' '));
                var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : string.Empty;
                query[name] = query[name] is { } earlier ? earlier.GetValue<string>() + "," + value : value;
            }

            compared["query"] = query;
            compared["body"] = request.Body.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(request.Body.GetRawText());
        }

        return JsonSerializer.SerializeToElement(compared, ToolJsonContext.Default.JsonObject);
    }
}
