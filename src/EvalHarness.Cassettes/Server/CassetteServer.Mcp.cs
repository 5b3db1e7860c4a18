using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using EvalHarness.Cassettes.Tools;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Cassettes.Server;

/// <summary>A case's MCP servers: each message recorded from the real server, or answered from the cassette.</summary>
public sealed partial class CassetteServer
{
    private async Task<RequestOutcome> McpAsync(HttpContext context, CassetteState state, ToolServer server, byte[] raw)
    {
        JsonObject message;
        try
        {
            message = JsonNode.Parse(raw) as JsonObject ?? throw new JsonException("a JSON-RPC message is an object (batches are not part of MCP since 2025-06-18)");
        }
        catch (JsonException ex)
        {
            await WriteMcpAsync(context, StatusCodes.Status400BadRequest, McpError(null, -32700, $"evalh: the message to MCP server '{server.Name}' is not JSON-RPC: {ex.Message}"));
            return RequestOutcome.Rejected;
        }

        var method = message["method"]?.GetValueKind() == JsonValueKind.String ? message["method"]!.GetValue<string>() : null;
        if (method is null)
        {
            // The agent's answer to a request of the server's: the harness never passes those on, so there is nothing to answer.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return RequestOutcome.Rejected;
        }

        var id = message["id"]?.DeepClone();
        var isRequest = message.ContainsKey("id");
        var body = SecretScanner.Scrub(JsonSerializer.SerializeToElement(message, ToolJsonContext.Default.JsonObject), _options.Scrubbers);
        var request = new RecordedRequest(method, string.Empty, new Dictionary<string, string>(StringComparer.Ordinal), body);

        if (!state.IsRecording)
        {
            if (!isRequest)
            {
                // A notification has no answer to replay; what the agent does next is what is matched.
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return RequestOutcome.Hit;
            }

            if (await ReplayToolAsync(context, state, server, request, found => WriteMcpAsync(context, StatusCodes.Status200OK, WithId(found.Response.Body!.Value, id))) is { } outcome)
            {
                return outcome;
            }

            if (method == "ping")
            {
                await WriteMcpAsync(context, StatusCodes.Status200OK, new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = new JsonObject() });
                return RequestOutcome.Hit;
            }

            if (_options.Mode != RecordMode.NewEpisodes)
            {
                var miss = ToolMiss(state, server, request);
                await WriteMcpAsync(context, StatusCodes.Status200OK, McpError(id, McpHarnessError, miss));
                return RequestOutcome.Miss;
            }
        }

        return await RecordMcpAsync(context, state, server, request, message, method, id, isRequest);
    }

    /// <summary>Why a recording cannot reach <paramref name="server"/> (a variable its suite entry names is not set), or null.</summary>
    private static string? Unreachable(CassetteState state, ToolServer server) => server.Unset.Count == 0 ? null
        : $"cassette '{state.Id}': agent.{server.Kind}.{server.Name} names {string.Join(", ", server.Unset.Select(v => "${" + v + "}"))}, which "
          + $"{(server.Unset.Count == 1 ? "is" : "are")} not set: set {(server.Unset.Count == 1 ? "it" : "them")} to record (a replay needs none). Nothing was recorded.";

    private async Task<RequestOutcome> RecordMcpAsync(
        HttpContext context, CassetteState state, ToolServer server, RecordedRequest request, JsonObject message, string method, JsonNode? id, bool isRequest)
    {
        if (Unreachable(state, server) is { } unset)
        {
            state.Misses.Add(new CassetteMiss(state.Id, -1, unset));
            await WriteMcpAsync(context, StatusCodes.Status200OK, McpError(id, McpHarnessError, unset));
            return RequestOutcome.Miss;
        }

        McpUpstream upstream;
        try
        {
            upstream = await UpstreamAsync(state, server, context.RequestAborted);
        }
        catch (InvalidOperationException ex)
        {
            var text = $"cassette '{state.Id}': {ex.Message} Nothing was recorded.";
            state.Misses.Add(new CassetteMiss(state.Id, -1, text));
            await WriteMcpAsync(context, StatusCodes.Status200OK, McpError(id, McpHarnessError, text));
            return RequestOutcome.Miss;
        }

        await HandshakeAsync(state, server, upstream, method, context.RequestAborted);
        var parameters = message["params"]?.DeepClone();
        var clock = Stopwatch.StartNew();
        if (!isRequest)
        {
            // A shared server was initialised by the run's first case: the later cases' "initialized" is not its news.
            if (!(method == "notifications/initialized" && server.PerRun && upstream.Initialized))
            {
                await upstream.NotifyAsync(method, parameters, context.RequestAborted);
            }

            upstream.Initialized |= method == "notifications/initialized";
            var accepted = new RecordedResponse(StatusCodes.Status202Accepted, new Dictionary<string, string>(StringComparer.Ordinal));
            if (SaveTool(context, state, server, request, accepted, clock) is { } refused)
            {
                await WriteMcpAsync(context, StatusCodes.Status200OK, McpError(null, McpHarnessError, refused));
                return RequestOutcome.Miss;
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return RequestOutcome.Recorded;
        }

        JsonObject answer;
        string? fault = null;
        if (method == "initialize" && upstream.InitializeResult is { } handshake)
        {
            answer = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = handshake.DeepClone() };
        }
        else
        {
            try
            {
                answer = Answer(await upstream.RequestAsync(method, parameters, server.Timeout, context.RequestAborted), id);
                if (method == "initialize" && answer["result"] is { } result)
                {
                    upstream.InitializeResult = result.DeepClone();
                }
            }
            catch (TimeoutException)
            {
                fault = "timeout";
                answer = McpError(id, McpHarnessError, string.Create(CultureInfo.InvariantCulture,
                    $"evalh: the MCP server '{server.Name}' did not answer {method} within {server.Timeout.TotalSeconds:0.###} s (recorded; a replay answers the same)."));
            }
            catch (IOException ex)
            {
                if (method == "initialize" || !upstream.Answered)
                {
                    // A server that never came up (it never answered anything: its handshake failed, or it died starting for
                    // a new episode's call) is a set-up problem, not the tool's behaviour: nothing to record. Closing it
                    // first lets what it wrote on stderr arrive.
                    await CloseAsync(state, server, upstream);
                    var text = $"cassette '{state.Id}': the MCP server {upstream.Description} closed the connection before it answered"
                        + $"{(upstream.StandardError is { Length: > 0 } lines ? $"; it wrote:{Environment.NewLine}{lines}{Environment.NewLine}" : ". ")}"
                        + $"Nothing was recorded; check the suite's agent.mcp.{server.Name}.";
                    state.Misses.Add(new CassetteMiss(state.Id, -1, text));
                    await WriteMcpAsync(context, StatusCodes.Status200OK, McpError(id, McpHarnessError, text));
                    return RequestOutcome.Miss;
                }

                fault = "reset";
                answer = McpError(id, McpHarnessError, $"evalh: {ex.Message.Split(Environment.NewLine)[0]} (recorded; a replay answers the same)");
            }
        }

        var response = new RecordedResponse(
            StatusCodes.Status200OK,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["content-type"] = "application/json" },
            SecretScanner.Scrub(JsonSerializer.SerializeToElement(answer, ToolJsonContext.Default.JsonObject), _options.Scrubbers),
            Fault: fault);
        if (SaveTool(context, state, server, request, response, clock) is { } refusedAnswer)
        {
            await WriteMcpAsync(context, StatusCodes.Status200OK, McpError(id, McpHarnessError, refusedAnswer));
            return RequestOutcome.Miss;
        }

        // The agent gets what a replay will give it, byte for byte.
        await WriteMcpAsync(context, StatusCodes.Status200OK, WithId(response.Body!.Value, id));
        return RequestOutcome.Recorded;
    }

    /// <summary>
    /// A new episode reaches a server the case's replayed handshake never reached: it gets that handshake first (not
    /// recorded again), so it takes the new request as it would have in the recording.
    /// </summary>
    private static async Task HandshakeAsync(CassetteState state, ToolServer server, McpUpstream upstream, string method, CancellationToken cancellationToken)
    {
        if (upstream.InitializeResult is not null || method == "initialize"
            || state.ToolServed.LastOrDefault(t => t.Exchange.Server == server.Name && t.Exchange.Request.Method == "initialize") is not { } replayed
            || !replayed.Exchange.Request.Body.TryGetProperty("params", out var parameters))
        {
            return;
        }

        try
        {
            if (await upstream.RequestAsync("initialize", JsonNode.Parse(parameters.GetRawText()), server.Timeout, cancellationToken) is JsonRpcResponse answer)
            {
                upstream.InitializeResult = answer.Result?.DeepClone();
                await upstream.NotifyAsync("notifications/initialized", null, cancellationToken);
                upstream.Initialized = true;
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            // The request that follows meets the same trouble and records it.
        }
    }

    /// <summary>Closes a connection that failed, so the next request starts the server afresh (and its stderr is read to the end).</summary>
    private async Task CloseAsync(CassetteState state, ToolServer server, McpUpstream upstream)
    {
        if (server.PerRun)
        {
            _runUpstreams.TryRemove(server.Name, out _);
        }
        else
        {
            state.Upstreams.Remove(server.Name);
        }

        await upstream.DisposeAsync();
    }

    /// <summary>The case's connection to <paramref name="server"/> (the run's, for <c>per: run</c>), started on first use.</summary>
    private async Task<McpUpstream> UpstreamAsync(CassetteState state, ToolServer server, CancellationToken cancellationToken)
    {
        if (server.PerRun)
        {
            var shared = _runUpstreams.GetOrAdd(server.Name, _ => McpUpstream.ConnectAsync(server, CancellationToken.None));
            try
            {
                return await shared.WaitAsync(cancellationToken);
            }
            catch (InvalidOperationException)
            {
                _runUpstreams.TryRemove(new KeyValuePair<string, Task<McpUpstream>>(server.Name, shared));
                throw;
            }
        }

        if (!state.Upstreams.TryGetValue(server.Name, out var upstream))
        {
            state.Upstreams[server.Name] = upstream = await McpUpstream.ConnectAsync(server, cancellationToken);
        }

        return upstream;
    }

    private static JsonObject Answer(JsonRpcMessage message, JsonNode? id) => message switch
    {
        JsonRpcResponse response => new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = response.Result?.DeepClone() },
        JsonRpcError error => new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["error"] = new JsonObject
            {
                ["code"] = error.Error.Code,
                ["message"] = error.Error.Message,
                ["data"] = error.Error.Data is { } data ? JsonSerializer.SerializeToNode(data, ModelContextProtocol.McpJsonUtilities.DefaultOptions) : null,
            },
        },
        _ => McpError(id, McpHarnessError, $"evalh: the MCP server answered with a {message.GetType().Name}."),
    };

    private static JsonObject McpError(JsonNode? id, int code, string text) =>
        new() { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), ["error"] = new JsonObject { ["code"] = code, ["message"] = text } };

    /// <summary>A recorded answer under the id of the request it now answers.</summary>
    private static JsonObject WithId(JsonElement recorded, JsonNode? id)
    {
        var answer = JsonNode.Parse(recorded.GetRawText())!.AsObject();
        answer["id"] = id?.DeepClone();
        return answer;
    }

    private static async Task WriteMcpAsync(HttpContext context, int status, JsonObject answer)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(answer, ToolJsonContext.Default.JsonObject), context.RequestAborted);
    }
}
