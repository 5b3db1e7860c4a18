using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
            app => app.MapPost("/c/{**rest}", upstream.HandleAsync), cancellationToken);
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
        var rest = (string?)context.GetRouteValue("rest") ?? string.Empty;
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
            if (script is null)
            {
                await ScriptErrorAsync(context, 400, $"There is no script for cassette '{id}'. Add the scenario to the suite's script file.");
                return;
            }

            // The n-th request of a conversation gets the n-th entry of its script: an error entry fails that
            // request, so the retry gets the entry after it.
            var turnIndex = _requests.AddOrUpdate((id, systemPrompt), 0, (_, n) => n + 1);
            if (turnIndex >= script.Count)
            {
                await ScriptErrorAsync(context, 400, $"The script for cassette '{id}' has {script.Count} entries, but the agent made request {turnIndex + 1}. Add a turn to the script.");
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

    private static byte[] Completion(string id, int turnIndex, string model, ScriptedTurn turn, int promptTokens, int completionTokens)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", $"chatcmpl-{Hash(id, turnIndex)}");
            w.WriteString("object", "chat.completion");
            w.WriteNumber("created", CreatedAt);
            w.WriteString("model", model);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            if (turn.Text is null)
            {
                w.WriteNull("content");
            }
            else
            {
                w.WriteString("content", turn.Text);
            }

            if (turn.ToolCalls.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                for (var i = 0; i < turn.ToolCalls.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("id", $"call_{Hash(id, (turnIndex * 100) + i)}");
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", turn.ToolCalls[i].Name);
                    w.WriteString("arguments", turn.ToolCalls[i].Arguments.GetRawText());
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteString("finish_reason", turn.ToolCalls.Count > 0 ? "tool_calls" : "stop");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", promptTokens);
            w.WriteNumber("completion_tokens", completionTokens);
            w.WriteNumber("total_tokens", promptTokens + completionTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The turn as OpenAI streaming chunks: role, text in pieces, each tool call's name then its arguments in two parts, the finish, the usage.</summary>
    private static List<string> Chunks(string id, int turnIndex, string model, ScriptedTurn turn, (int Prompt, int Completion)? usage)
    {
        var completionId = $"chatcmpl-{Hash(id, turnIndex)}";
        string Chunk(Action<Utf8JsonWriter> delta, string? finish = null, bool noChoices = false, Action<Utf8JsonWriter>? extra = null)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("id", completionId);
                w.WriteString("object", "chat.completion.chunk");
                w.WriteNumber("created", CreatedAt);
                w.WriteString("model", model);
                w.WriteStartArray("choices");
                if (!noChoices)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", 0);
                    w.WriteStartObject("delta");
                    delta(w);
                    w.WriteEndObject();
                    if (finish is null)
                    {
                        w.WriteNull("finish_reason");
                    }
                    else
                    {
                        w.WriteString("finish_reason", finish);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                extra?.Invoke(w);
                w.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        var chunks = new List<string> { Chunk(w => { w.WriteString("role", "assistant"); w.WriteString("content", string.Empty); }) };
        foreach (var piece in Pieces(turn.Text ?? string.Empty))
        {
            chunks.Add(Chunk(w => w.WriteString("content", piece)));
        }

        for (var i = 0; i < turn.ToolCalls.Count; i++)
        {
            var (index, call) = (i, turn.ToolCalls[i]);
            var arguments = call.Arguments.GetRawText();
            chunks.Add(Chunk(w => ToolDelta(w, index, $"call_{Hash(id, (turnIndex * 100) + index)}", call.Name, string.Empty)));
            chunks.Add(Chunk(w => ToolDelta(w, index, null, null, arguments[..(arguments.Length / 2)])));
            chunks.Add(Chunk(w => ToolDelta(w, index, null, null, arguments[(arguments.Length / 2)..])));
        }

        chunks.Add(Chunk(_ => { }, turn.ToolCalls.Count > 0 ? "tool_calls" : "stop"));
        if (usage is { } u)
        {
            chunks.Add(Chunk(_ => { }, noChoices: true, extra: w =>
            {
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", u.Prompt);
                w.WriteNumber("completion_tokens", u.Completion);
                w.WriteNumber("total_tokens", u.Prompt + u.Completion);
                w.WriteEndObject();
            }));
        }

        chunks.Add("[DONE]");
        return chunks;
    }

    private static void ToolDelta(Utf8JsonWriter w, int index, string? callId, string? name, string arguments)
    {
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        if (callId is not null)
        {
            w.WriteString("id", callId);
            w.WriteString("type", "function");
        }

        w.WriteStartObject("function");
        if (name is not null)
        {
            w.WriteString("name", name);
        }

        w.WriteString("arguments", arguments);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>Text in pieces of about three words, as a model streams it.</summary>
    private static IEnumerable<string> Pieces(string text)
    {
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i += 3)
        {
            var piece = string.Join(' ', words.Skip(i).Take(3));
            yield return i + 3 < words.Length ? piece + " " : piece;
        }
    }

    private static async Task WriteStreamAsync(HttpContext context, List<(string? Event, string Data)> events, double latencyMs)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers[CassetteServer.SimulatedLatencyHeader] = latencyMs.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, data) in events)
        {
            await context.Response.WriteAsync((name is null ? string.Empty : $"event: {name}\n") + $"data: {data}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
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
