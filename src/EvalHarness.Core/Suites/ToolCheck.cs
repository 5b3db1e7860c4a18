using System.Text.Json;

namespace EvalHarness.Core.Suites;

/// <summary>
/// One direct call of a tool server, a scenario's <c>call</c>: <c>{ mcp: inventory, tool: check_stock, args: { sku: A1 } }</c>
/// or <c>{ http: prices, get: "/price?sku=A1" }</c> (also <c>post</c>, <c>put</c>, <c>patch</c>, <c>delete</c>, with
/// <c>body</c>). Tests a tool apart from the model; recorded and replayed like any case's tool traffic.
/// </summary>
/// <param name="Kind"><c>mcp</c> or <c>http</c>.</param>
/// <param name="Server">The server's name in <c>agent.mcp</c> or <c>agent.http</c>.</param>
/// <param name="Tool">An MCP tool's name; null for HTTP.</param>
/// <param name="Arguments">An MCP tool's arguments (an object); null for HTTP.</param>
/// <param name="Method">An HTTP method (<c>GET</c> …); null for MCP.</param>
/// <param name="Path">An HTTP path and query, relative to the API's base URL; null for MCP.</param>
/// <param name="Body">An HTTP request's JSON body; null for none.</param>
public sealed record ToolCheck(string Kind, string Server, string? Tool, JsonElement? Arguments, string? Method, string? Path, JsonElement? Body)
{
    /// <summary>The call as a result names it: <c>inventory.check_stock</c>, <c>prices GET /price</c>.</summary>
    public string Name => Tool is not null ? $"{Server}.{Tool}" : $"{Server} {Method} {Path!.Split('?', 2)[0]}";
}
