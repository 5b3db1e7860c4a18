namespace EvalHarness.Cassettes.Tools;

/// <summary>A request to a case's tool server: <c>/c/&lt;cassette-id&gt;/mcp/&lt;name&gt;</c> or <c>/c/&lt;cassette-id&gt;/http/&lt;name&gt;/&lt;path&gt;</c>.</summary>
/// <param name="CassetteId">The case's cassette id.</param>
/// <param name="Server">The tool server the suite names.</param>
/// <param name="ApiPath">For an HTTP API, the API's own path (<c>/weather</c>, <c>/</c> at least); empty for MCP.</param>
internal readonly record struct ToolRoute(string CassetteId, ToolServer Server, string ApiPath)
{
    /// <summary>
    /// Reads the route after <c>/c/</c>, when it names one of <paramref name="servers"/>. An MCP endpoint is the URL's
    /// last two segments; an HTTP API's base is the first <c>http/&lt;name&gt;</c> after an id, so the API's own path
    /// may be anything. A cassette id cannot end in a server's segment, so model paths never reach here.
    /// </summary>
    public static bool TryRead(string rest, IReadOnlyList<ToolServer> servers, out ToolRoute route)
    {
        route = default;
        if (servers.Count == 0)
        {
            return false;
        }

        var segments = rest.Split('/');
        if (segments.Length >= 3 && segments[^2] == Format.ToolKinds.Mcp && Find(servers, Format.ToolKinds.Mcp, segments[^1]) is { } mcp)
        {
            route = new ToolRoute(string.Join('/', segments[..^2]), mcp, string.Empty);
            return true;
        }

        for (var i = 1; i + 1 < segments.Length; i++)
        {
            if (segments[i] == Format.ToolKinds.Http && Find(servers, Format.ToolKinds.Http, segments[i + 1]) is { } api)
            {
                route = new ToolRoute(string.Join('/', segments[..i]), api, "/" + string.Join('/', segments[(i + 2)..]));
                return true;
            }
        }

        return false;
    }

    private static ToolServer? Find(IReadOnlyList<ToolServer> servers, string kind, string name)
    {
        foreach (var server in servers)
        {
            if (server.Kind == kind && string.Equals(server.Name, name, StringComparison.Ordinal))
            {
                return server;
            }
        }

        return null;
    }
}
