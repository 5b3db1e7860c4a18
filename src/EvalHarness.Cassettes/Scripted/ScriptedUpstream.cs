using System.Globalization;
using System.Net.ServerSentEvents;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EvalHarness.Cassettes.Scripted;

/// <summary>
/// A stand-in model provider that plays scripted turns in the OpenAI chat completions wire format.
/// A conversation is a cassette id plus the request's system prompt; its n-th request gets the n-th entry
/// of its script. Start a fresh upstream for each recording.
/// </summary>
/// <remarks>Requests come to <c>/c/{cassette-id}/v1/chat/completions</c>; the id picks the script.</remarks>
public sealed partial class ScriptedUpstream : IAsyncDisposable
{
    /// <summary>The <c>created</c> timestamp of every scripted completion, so recordings are stable.</summary>
    private const long CreatedAt = 1767225600; // 2026-01-01T00:00:00Z

    private readonly Func<string, string?, IReadOnlyList<ScriptedTurn>?> _scripts;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Cassette, string? Conversation), int> _requests = new();
    private WebApplication? _app;

    private ScriptedUpstream(Func<string, string?, IReadOnlyList<ScriptedTurn>?> scripts) => _scripts = scripts;

    /// <summary>The server's address.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The upstream URL template for a <see cref="CassetteServer"/> that records from this upstream.</summary>
    public string UpstreamTemplate => $"{BaseAddress}c/{{cassette}}/";

    /// <summary>Starts the upstream on an ephemeral loopback port; <paramref name="scripts"/> finds the turns for a cassette id.</summary>
    public static Task<ScriptedUpstream> StartAsync(Func<string, IReadOnlyList<ScriptedTurn>?> scripts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        return StartAsync((id, _) => scripts(id), cancellationToken);
    }

    /// <summary>
    /// Starts the upstream; <paramref name="scripts"/> finds the turns for a cassette id and the conversation's
    /// system prompt, so one case can hold several conversations (a supervisor and its specialists, a summary call).
    /// </summary>
    public static async Task<ScriptedUpstream> StartAsync(
        Func<string, string?, IReadOnlyList<ScriptedTurn>?> scripts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scripts);
        var upstream = new ScriptedUpstream(scripts);
        (upstream._app, upstream.BaseAddress) = await LoopbackHost.StartAsync(
            app => app.MapPost(Server.CassetteRoute.Pattern, upstream.HandleAsync), cancellationToken);
        return upstream;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var rest = (string?)context.GetRouteValue(Server.CassetteRoute.Rest) ?? string.Empty;
        if (!LoopbackHost.TrySplit(rest, out var id, out var path) || path is not ("v1/chat/completions" or "v1/messages"))
        {
            await ScriptErrorAsync(context, 404, $"The scripted upstream serves /c/<cassette-id>/v1/chat/completions (OpenAI) and /c/<cassette-id>/v1/messages (Anthropic), not '/c/{rest}'.");
            return;
        }

        var anthropic = path == "v1/messages";

        JsonDocument request;
        try
        {
            request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await ScriptErrorAsync(context, 400, $"The request body is not JSON: {ex.Message}");
            return;
        }

        using (request)
        {
            var root = request.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await ScriptErrorAsync(context, 400, "The request body must be a JSON object.");
                return;
            }

            root.TryGetProperty("messages", out var all);
            var systemPrompt = anthropic ? AnthropicSystem(root)
                : all.ValueKind == JsonValueKind.Array
                    ? all.EnumerateArray().Where(m => m.TryGetProperty("role", out var r) && r.ValueEquals("system") && m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
                        .Select(m => m.GetProperty("content").GetString()).FirstOrDefault()
                    : null;
            var script = _scripts(id, systemPrompt);
            // A judge or a simulated user has a cassette of its own, and its turns a conversation of their own in the script.
            var own = id.Split('/') is { Length: 5 } parts && parts[4] is "judge" or "user" ? parts[4] : null;
            if (script is null)
            {
                await ScriptErrorAsync(context, 400, own is null
                    ? $"There is no script for cassette '{id}'. Add the scenario to the suite's script file."
                    : $"There is no script for cassette '{id}'. In the suite's script file, give the scenario its {(own == "user" ? "simulated user's messages" : "judge's answers")} "
                        + $"as a conversation of their own: `<scenario>: {{ agent: [...], {own}: [{{ text: \"...\" }}] }}`.");
                return;
            }

            // The n-th request of a conversation gets the n-th entry of its script: an error entry fails that
            // request, so the retry gets the entry after it.
            var turnIndex = _requests.AddOrUpdate((id, systemPrompt), 0, (_, n) => n + 1);
            if (turnIndex >= script.Count)
            {
                await ScriptErrorAsync(context, 400, own == "user"
                    ? $"The script for cassette '{id}' has {script.Count} entries, but the simulated user was asked for message {turnIndex + 1}: add a turn to the scenario's user: list in the script, or end its last one with its stop marker."
                    : $"The script for cassette '{id}' has {script.Count} entries, but the agent made request {turnIndex + 1}. Add a turn to the script.");
                return;
            }

            var turn = script[turnIndex];
            switch (turn.Fault)
            {
                case "reset":
                    context.Abort();
                    return;
                case "timeout":
                    // Never answers: the recorder gives up after its upstream timeout.
                    await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                case "malformed":
                    context.Response.ContentType = "application/json";
                    context.Response.Headers[CassetteServer.SimulatedLatencyHeader] = "80";
                    await context.Response.WriteAsync(anthropic
                        ? $$"""{"id":"msg_{{Hash(id, turnIndex)}}","type":"message","role":"assistant","content":[{"type":"text","text":"Hel"""
                        : $$"""{"id":"chatcmpl-{{Hash(id, turnIndex)}}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel""", context.RequestAborted);
                    return;
            }

            if (turn.ErrorStatus is { } status)
            {
                if (turn.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
                }

                var message = turn.ErrorMessage ?? $"Scripted error {status}.";
                await WriteAsync(context, status, anthropic ? AnthropicError(status, message) : ErrorBody(message, status == 429 ? "rate_limit_exceeded" : "server_error"), turn.LatencyMs ?? 50);
                return;
            }

            var messages = all;
            var model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "scripted" : "scripted";
            var promptTokens = EstimateTokens(messages.ValueKind == JsonValueKind.Array ? messages.GetRawText() : string.Empty)
                + (root.TryGetProperty("tools", out var tools) ? EstimateTokens(tools.GetRawText()) : 0)
                + (anthropic ? EstimateTokens(systemPrompt ?? string.Empty) : 0);
            var completionTokens = EstimateTokens(turn.Text ?? string.Empty)
                + turn.ToolCalls.Sum(c => EstimateTokens(c.Name) + EstimateTokens(c.Arguments.GetRawText()) + 3);
            var latency = turn.LatencyMs ?? Math.Round(250 + (promptTokens * 0.02) + (completionTokens * 12.0));
            if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True && anthropic)
            {
                var events = AnthropicEvents(id, turnIndex, model, turn, promptTokens, completionTokens);
                await WriteStreamAsync(context, turn.Fault == "truncated" ? events[..(events.Count / 2)] : events, latency);
                if (turn.Fault == "truncated")
                {
                    await Task.Delay(100, context.RequestAborted);
                    context.Abort();
                }

                return;
            }

            if (anthropic)
            {
                await WriteAsync(context, 200, AnthropicMessage(id, turnIndex, model, turn, promptTokens, completionTokens), latency);
                return;
            }

            if (root.TryGetProperty("stream", out stream) && stream.ValueKind == JsonValueKind.True)
            {
                var includeUsage = root.TryGetProperty("stream_options", out var so) && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
                var chunks = Chunks(id, turnIndex, model, turn, includeUsage ? (promptTokens, completionTokens) : null);
                var openAIEvents = chunks.Select(c => ((string?)null, c)).ToList();
                await WriteStreamAsync(context, turn.Fault == "truncated" ? openAIEvents[..(openAIEvents.Count / 2)] : openAIEvents, latency);
                if (turn.Fault == "truncated")
                {
                    // A reset discards what is still in the socket's buffer: let the half that was sent arrive first.
                    await Task.Delay(100, context.RequestAborted);
                    context.Abort();
                }

                return;
            }

            await WriteAsync(context, 200, Completion(id, turnIndex, model, turn, promptTokens, completionTokens), latency);
        }
    }

    private static async Task WriteStreamAsync(HttpContext context, List<(string? Event, string Data)> events, double latencyMs)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers[CassetteServer.SimulatedLatencyHeader] = latencyMs.ToString(CultureInfo.InvariantCulture);
        await SseWire.WriteAsync(events.Select(e => new SseItem<string>(e.Data, e.Event)), context.Response.Body, context.RequestAborted);
    }

    /// <summary>About four characters a token, as the providers' own rule of thumb.</summary>
    private static int EstimateTokens(string text) => (text.Length + 3) / 4;

    private static string Hash(string id, int n) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{id}#{n}")))[..24];

    private static byte[] ErrorBody(string message, string type)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteNull("param");
            w.WriteString("code", type);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Marks an answer that is a mistake in the script, not model behaviour to record.</summary>
    internal const string ScriptErrorHeader = "x-scripted-error";

    private static Task ScriptErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.Headers[ScriptErrorHeader] = "script";
        return WriteAsync(context, status, ErrorBody(message, "invalid_request_error"));
    }

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, double? latencyMs = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (latencyMs is { } ms)
        {
            context.Response.Headers[CassetteServer.SimulatedLatencyHeader] = ms.ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
