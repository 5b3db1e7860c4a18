using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Tools;
using Microsoft.AspNetCore.Http;

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
