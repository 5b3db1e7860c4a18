using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using EvalHarness.Cassettes.Tools;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Cassettes.Server;

/// <summary>
/// The agent's tool servers, served per case: an MCP server as a streamable HTTP endpoint at
/// <c>/c/&lt;id&gt;/mcp/&lt;name&gt;</c> (whatever its real transport), an HTTP API at <c>/c/&lt;id&gt;/http/&lt;name&gt;/…</c>.
/// A recording reaches the real server and writes each exchange into the case's cassette; a replay answers from it
/// and reaches nothing.
/// </summary>
public sealed partial class CassetteServer
{
    /// <summary>The JSON-RPC error code of the harness's own MCP answers (a miss, a time-out while recording).</summary>
    private const int McpHarnessError = -32001;

    private static readonly JsonElement NoBody = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>Stdio servers shared by the run (<c>per: run</c>), by name.</summary>
    private readonly ConcurrentDictionary<string, Task<McpUpstream>> _runUpstreams = new(StringComparer.Ordinal);

    private async Task HandleToolAsync(HttpContext context, ToolRoute route, Handled handled)
    {
        handled.CassetteId = route.CassetteId;
        if (CassetteStore.IdProblem(_options.Instances ? CassetteInstance.FileId(route.CassetteId) : route.CassetteId) is { } problem)
        {
            await RejectAsync(context, handled, StatusCodes.Status400BadRequest, $"'{context.Request.Path}' is not a tool server URL: {problem}");
            return;
        }

        if (route.Server.IsMcp && !HttpMethods.IsPost(context.Request.Method))
        {
            // Streamable HTTP lets a server offer no stream of its own (GET) and no sessions to end (DELETE): each answer
            // comes with the POST that asked for it.
            handled.Outcome = RequestOutcome.Rejected;
            handled.Message = $"{context.Request.Method} on an MCP endpoint: the harness answers each message in its POST's response.";
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }

        if (context.Request.ContentLength > _options.MaxRequestBodyBytes)
        {
            await RejectAsync(context, handled, StatusCodes.Status413PayloadTooLarge, TooLarge());
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var raw = buffer.ToArray();

        // As for the model's requests: a load test's instance keeps its own state and reads its cassette's file.
        var state = _states.GetOrAdd(route.CassetteId, static key => new CassetteState(CassetteInstance.FileId(key)));
        await state.Gate.WaitAsync(context.RequestAborted);
        try
        {
            handled.State = state;
            handled.MissesBefore = state.Misses.Count;
            handled.Outcome = RequestOutcome.Miss;
            if (!await OpenAsync(context, state, state.NextIndex))
            {
                return;
            }

            handled.Outcome = route.Server.IsMcp
                ? await McpAsync(context, state, route.Server, raw)
                : await HttpApiAsync(context, state, route, raw);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    // ---- MCP ----

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

    // ---- HTTP APIs ----

    /// <summary>Request headers an HTTP API never gets from the proxy: hop by hop, and the body's framing.</summary>
    private static readonly HashSet<string> NotForwardedToApi = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade", "accept-encoding", "traceparent", "tracestate", "baggage",
    };

    /// <summary>Response headers the agent does not get from the API: hop by hop, the framing (the body arrives decompressed).</summary>
    private static readonly HashSet<string> NotPassedBackFromApi = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "transfer-encoding", "keep-alive", "upgrade", "content-length", "content-encoding", "date", "server",
    };

    private async Task<RequestOutcome> HttpApiAsync(HttpContext context, CassetteState state, ToolRoute route, byte[] raw)
    {
        var server = route.Server;
        var query = context.Request.QueryString.Value ?? string.Empty;
        var contentType = context.Request.ContentType;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (contentType is { Length: > 0 })
        {
            headers["content-type"] = contentType;
        }

        var request = new RecordedRequest(context.Request.Method, route.ApiPath + SecretScanner.ScrubQuery(query), headers, BodyOf(raw));
        if (!state.IsRecording)
        {
            if (await ReplayToolAsync(context, state, server, request, found => WriteApiAsync(context, found.Response)) is { } outcome)
            {
                return outcome;
            }

            if (_options.Mode != RecordMode.NewEpisodes)
            {
                var miss = ToolMiss(state, server, request);
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                context.Response.ContentType = "application/json";
                context.Response.Headers["x-evalh-miss"] = "true";
                await context.Response.Body.WriteAsync(
                    JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["error"] = new JsonObject { ["type"] = ErrorAnswer.MissType, ["message"] = miss } }, ToolJsonContext.Default.JsonObject),
                    context.RequestAborted);
                return RequestOutcome.Miss;
            }
        }

        if (Unreachable(state, server) is { } unset)
        {
            state.Misses.Add(new CassetteMiss(state.Id, -1, unset));
            await WriteApiAsync(context, ApiFault(StatusCodes.Status502BadGateway, null, unset));
            return RequestOutcome.Miss;
        }

        var address = new Uri(server.Url!.GetLeftPart(UriPartial.Path).TrimEnd('/') + route.ApiPath + query);
        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), address);
        var secrets = new List<string>(_options.Secrets);
        secrets.AddRange(server.SecretValues);
        secrets.AddRange(SecretScanner.CredentialQueryValues(query));
        UpstreamRecorder.ForwardHeaders(context.Request.Headers, forward, NotForwardedToApi, secrets);

        foreach (var (name, value) in server.Headers)
        {
            forward.Headers.Remove(name);
            forward.Headers.TryAddWithoutValidation(name, value);
        }

        if (raw.Length > 0 || context.Request.ContentLength is not null)
        {
            forward.Content = new ByteArrayContent(raw);
            if (contentType is { Length: > 0 })
            {
                forward.Content.Headers.TryAddWithoutValidation("content-type", contentType);
            }
        }

        var clock = Stopwatch.StartNew();
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        patience.CancelAfter(server.Timeout);
        RecordedResponse response;
        try
        {
            using var answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, patience.Token);
            var bytes = await answer.Content.ReadAsByteArrayAsync(patience.Token);
            var kept = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var header in answer.Headers.Concat(answer.Content.Headers))
            {
                if (!NotPassedBackFromApi.Contains(header.Key) && (header.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("location", StringComparison.OrdinalIgnoreCase) || header.Key.StartsWith("retry-after", StringComparison.OrdinalIgnoreCase)))
                {
                    kept[header.Key.ToLowerInvariant()] = string.Join(", ", header.Value);
                }
            }

            response = ApiResponse((int)answer.StatusCode, kept, bytes);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            response = ApiFault(StatusCodes.Status504GatewayTimeout, "timeout", string.Create(CultureInfo.InvariantCulture,
                $"evalh: the HTTP API '{server.Name}' did not answer within {server.Timeout.TotalSeconds:0.###} s (recorded; a replay answers the same)."));
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            var text = $"cassette '{state.Id}': the HTTP API '{server.Name}' at {address.GetLeftPart(UriPartial.Authority)} could not be reached ({ex.Message}). "
                + $"Nothing was recorded: start it, or point agent.http.{server.Name} at where it runs.";
            state.Misses.Add(new CassetteMiss(state.Id, -1, text));
            await WriteApiAsync(context, ApiFault(StatusCodes.Status502BadGateway, null, text));
            return RequestOutcome.Miss;
        }
        catch (HttpRequestException ex)
        {
            response = ApiFault(StatusCodes.Status502BadGateway, "reset", $"evalh: the HTTP API '{server.Name}' dropped the connection ({ex.Message}; recorded, a replay answers the same).");
        }

        if (SaveTool(context, state, server, request, response, clock, secrets) is { } refused)
        {
            await WriteApiAsync(context, ApiFault(StatusCodes.Status500InternalServerError, null, refused));
            return RequestOutcome.Miss;
        }

        await WriteApiAsync(context, response);
        return RequestOutcome.Recorded;
    }

    /// <summary>
    /// A request body as a cassette keeps it: JSON as JSON, other text as a JSON string, none as null.
    /// </summary>
    private JsonElement BodyOf(byte[] raw)
    {
        if (raw.Length == 0)
        {
            return NoBody;
        }

        return WireJson.TryParse(raw) is { } json
            ? SecretScanner.Scrub(json, _options.Scrubbers)
            : SecretScanner.Scrub(JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(raw), ToolJsonContext.Default.String), _options.Scrubbers);
    }

    /// <summary>
    /// An API's answer as a cassette keeps it: JSON as JSON when writing it back gives the same bytes (so the agent
    /// reads the same text in record and replay), else as text.
    /// </summary>
    private RecordedResponse ApiResponse(int status, Dictionary<string, string> headers, byte[] bytes)
    {
        if (bytes.Length > 0 && WireJson.TryParse(bytes) is { } json && CompactJson.Bytes(json, relaxed: true).AsSpan().SequenceEqual(bytes))
        {
            return new RecordedResponse(status, headers, SecretScanner.Scrub(json, _options.Scrubbers));
        }

        return new RecordedResponse(status, headers, BodyText: bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes));
    }

    private static RecordedResponse ApiFault(int status, string? fault, string text) => new(
        status,
        new Dictionary<string, string>(StringComparer.Ordinal) { ["content-type"] = "text/plain; charset=utf-8" },
        BodyText: text,
        Fault: fault);

    private static async Task WriteApiAsync(HttpContext context, RecordedResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        var bytes = response.Body is { } json ? CompactJson.Bytes(json, relaxed: true) : Encoding.UTF8.GetBytes(response.BodyText ?? string.Empty);
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    // ---- shared ----

    /// <summary>Replays the recorded exchange for <paramref name="request"/>; null when there is none (the caller misses or records).</summary>
    private async Task<RequestOutcome?> ReplayToolAsync(HttpContext context, CassetteState state, ToolServer server, RecordedRequest request, Func<ToolExchange, Task> write)
    {
        if (state.Cassette?.Tools is not { } recorded)
        {
            return null;
        }

        var found = ToolMatcher.Find(recorded, state.ToolUsed!, server, request);
        if (found.Index < 0 && _options.RestartOnFirstRequest)
        {
            // A long-lived client (serve) that runs again asks its tools again: an exchange it used answers again.
            found = ToolMatcher.Find(recorded, new bool[recorded.Count], server, request);
        }

        if (found.Index < 0)
        {
            return null;
        }

        var exchange = recorded[found.Index];
        state.ToolUsed![found.Index] = true;
        state.ToolServed.Add(new ServedToolExchange(exchange, state.NextIndex));
        if (_options.Timing == ReplayTiming.Realistic)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(exchange.Timings.TotalMs), _options.Time, context.RequestAborted);
        }

        await write(exchange);
        return RequestOutcome.Hit;
    }

    /// <summary>Records a tool miss for the case and says what differs and what to do.</summary>
    private string ToolMiss(CassetteState state, ToolServer server, RecordedRequest request)
    {
        var what = ToolMatcher.Describe(server, request);
        var file = _store.PathFor(CassetteInstance.FileId(state.Id));
        string text;
        if (state.Cassette is null)
        {
            text = $"cassette '{state.Id}' not found at {file}. {_matcher.Record}.";
        }
        else if (state.Cassette.Tools is not { } recorded || state.ToolUsed is not { } used
                 || ToolMatcher.Find(recorded, used, server, request) is not { Nearest: { } nearest, Difference: var difference })
        {
            var count = state.Cassette.Tools?.Count(t => t.Server == server.Name && t.Kind == server.Kind) ?? 0;
            text = $"cassette '{state.Id}' ({file}): {what}: "
                + (count == 0
                    ? $"the cassette holds no exchange with {server.Kind} server '{server.Name}': its recording never reached it (the recording stopped early, "
                      + $"or was made before the suite named the server). {Capitalised(_matcher.Rerecord)}."
                    : state.Cassette.Tools is { } all && ToolMatcher.Find(all, new bool[all.Count], server, request).Index >= 0
                        ? $"asked again, but the recording answered it once (a replay answers each recorded exchange once). If the agent now asks twice on purpose, {_matcher.Rerecord}."
                        : $"no unused exchange with {server.Kind} server '{server.Name}' asks this (the cassette holds {count} with it). "
                          + $"If the agent now calls its tools differently on purpose, {_matcher.Rerecord}.");
        }
        else
        {
            text = $"cassette '{state.Id}' ({file}): {ToolMatcher.Describe(server, nearest.Request)}: {(difference is null ? "the request differs from the recording" : difference.ToString())}. "
                + $"The agent asked its tool something else than when it was recorded; a replay never calls the real server. If that is intended, {_matcher.Rerecord}.";
            state.Misses.Add(new CassetteMiss(state.Id, -1, text, difference));
            return text;
        }

        state.Misses.Add(new CassetteMiss(state.Id, -1, text));
        return text;
    }

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Adds a tool exchange to the cassette; returns why the write was refused (a miss), or null.</summary>
    private string? SaveTool(HttpContext context, CassetteState state, ToolServer server, RecordedRequest request, RecordedResponse response, Stopwatch clock, List<string>? secrets = null)
    {
        var totalMs = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
        var exchange = new ToolExchange(server.Name, server.Kind, request, response, new InteractionTimings(totalMs, totalMs));
        secrets ??= [.. _options.Secrets, .. server.SecretValues];
        if (_writer.AppendTool(state, context.Request, exchange, secrets) is { } refused)
        {
            var text = $"cassette '{state.Id}': {refused}";
            state.Misses.Add(new CassetteMiss(state.Id, -1, text));
            return text;
        }

        state.ToolServed.Add(new ServedToolExchange(exchange, state.NextIndex));
        return null;
    }
}
