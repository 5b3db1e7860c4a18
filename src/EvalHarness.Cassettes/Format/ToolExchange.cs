namespace EvalHarness.Cassettes.Format;

/// <summary>
/// One exchange between the agent and a tool server the suite names: an MCP message and its answer, or a request to an
/// HTTP API and its response. Kept in the case's cassette beside the model's interactions.
/// </summary>
/// <param name="Server">The server's name in the suite (<c>agent.mcp.&lt;name&gt;</c> or <c>agent.http.&lt;name&gt;</c>).</param>
/// <param name="Kind"><see cref="ToolKinds.Mcp"/> or <see cref="ToolKinds.Http"/>.</param>
/// <param name="Request">
/// For MCP: the JSON-RPC method as <see cref="RecordedRequest.Method"/>, an empty path, and the message as the body.
/// For HTTP: the method, the API's own path and query (credentials scrubbed), and the body (JSON, a JSON string for
/// other text, null when there was none).
/// </param>
/// <param name="Response">For MCP: 200 and the JSON-RPC answer, or 202 for a notification. For HTTP: what the API answered.</param>
/// <param name="Timings">How long the server took, replayed with recorded timing.</param>
public sealed record ToolExchange(string Server, string Kind, RecordedRequest Request, RecordedResponse Response, InteractionTimings Timings);

/// <summary>A tool exchange as a case's run answered it (replayed or recorded), and where it came among the model's calls.</summary>
/// <param name="Exchange">The exchange.</param>
/// <param name="AfterModelCalls">How many of the case's model calls had been answered when it came: 1 for a tool the first answer asked for.</param>
public sealed record ServedToolExchange(ToolExchange Exchange, int AfterModelCalls);

/// <summary>The kinds of tool server a cassette records.</summary>
public static class ToolKinds
{
    /// <summary>An MCP server (stdio or streamable HTTP), served to the agent at <c>/c/&lt;id&gt;/mcp/&lt;name&gt;</c>.</summary>
    public const string Mcp = "mcp";

    /// <summary>A plain HTTP API, served to the agent at <c>/c/&lt;id&gt;/http/&lt;name&gt;</c>.</summary>
    public const string Http = "http";
}
