namespace EvalHarness.Core.Suites;

/// <summary>
/// The built-in runtime's MCP tools in a suite's <c>tools</c>: <c>mcp:inventory</c> (every tool the server lists) or
/// <c>mcp:inventory/check_stock</c> (one). A run names their calls <c>inventory.check_stock</c>, as toolkits' tools are named.
/// </summary>
internal static class McpTools
{
    public const string Prefix = "mcp:";

    /// <summary>Reads <c>mcp:&lt;server&gt;</c> or <c>mcp:&lt;server&gt;/&lt;tool&gt;</c>; the tool is null for all of them.</summary>
    public static bool TryParse(string entry, out string server, out string? tool)
    {
        (server, tool) = (string.Empty, null);
        if (!entry.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = entry[Prefix.Length..].Split('/', 2);
        (server, tool) = (rest[0], rest.Length > 1 && rest[1].Length > 0 ? rest[1] : null);
        return true;
    }

    /// <summary>
    /// Whether a call named <paramref name="name"/> can come from an entry of <paramref name="tools"/>: an MCP entry
    /// (<c>mcp:inventory</c> covers <c>inventory.check_stock</c>) or an HTTP API's (<c>http:prices</c> covers <c>prices GET /price</c>).
    /// </summary>
    public static bool Covers(IEnumerable<string> tools, string name) => tools.Any(entry =>
        (TryParse(entry, out var server, out var tool)
            && name.StartsWith(server + ".", StringComparison.Ordinal)
            && (tool is null || name.Length == server.Length + 1 + tool.Length && name.EndsWith(tool, StringComparison.Ordinal)))
        || (entry.StartsWith("http:", StringComparison.Ordinal) && name.StartsWith(entry["http:".Length..] + " ", StringComparison.Ordinal)));
}
