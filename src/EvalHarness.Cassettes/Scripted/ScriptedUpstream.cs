using System.Globalization;
using System.Text.Json;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EvalHarness.Cassettes.Scripted;

/// <summary>
/// A stand-in model provider that plays scripted turns in the wire format of each protocol (<see cref="WireProtocol"/>).
/// A conversation is a cassette id plus the request's system prompt; its n-th request gets the n-th entry
/// of its script. Start a fresh upstream for each recording.
/// </summary>
/// <remarks>Requests come to <c>/c/{cassette-id}/</c> and the path a provider's client appends; the id picks the script.</remarks>
public sealed class ScriptedUpstream : IAsyncDisposable
{
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
        var request = context.Request;
        if (!WireProtocols.TryRoute(rest, marker => request.Headers.ContainsKey(marker) || request.Query.ContainsKey(marker), out var id, out var path, out var protocol)
            || !protocol.CanScript(path))
        {
            var served = string.Join(", ", WireProtocols.All.SelectMany(p => p.ScriptedPaths.Select(s => $"/c/<cassette-id>/{s} ({p.Name})")));
            await ScriptedWire.ScriptErrorAsync(context, 404, $"The scripted upstream serves {served}, not '/c/{rest}'.");
            return;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await ScriptedWire.ScriptErrorAsync(context, 400, $"The request body is not JSON: {ex.Message}");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await ScriptedWire.ScriptErrorAsync(context, 400, "The request body must be a JSON object.");
                return;
            }

            var asked = protocol.ReadScripted(path, root);
            var script = _scripts(id, asked.SystemPrompt);
            // A judge or a simulated user has a cassette of its own, and its turns a conversation of their own in the script.
            var own = id.Split('/') is { Length: 5 } parts && parts[4] is "judge" or "user" ? parts[4] : null;
            if (script is null)
            {
                await ScriptedWire.ScriptErrorAsync(context, 400, own is null
                    ? $"There is no script for cassette '{id}'. Add the scenario to the suite's script file."
                    : $"There is no script for cassette '{id}'. In the suite's script file, give the scenario its {(own == "user" ? "simulated user's messages" : "judge's answers")} "
                        + $"as a conversation of their own: `<scenario>: {{ agent: [...], {own}: [{{ text: \"...\" }}] }}`.");
                return;
            }

            // The n-th request of a conversation gets the n-th entry of its script: an error entry fails that
            // request, so the retry gets the entry after it.
            var turnIndex = _requests.AddOrUpdate((id, asked.SystemPrompt), 0, (_, n) => n + 1);
            if (turnIndex >= script.Count)
            {
                await ScriptedWire.ScriptErrorAsync(context, 400, own == "user"
                    ? $"The script for cassette '{id}' has {script.Count} entries, but the simulated user was asked for message {turnIndex + 1}: add a turn to the scenario's user: list in the script, or end its last one with its stop marker."
                    : $"The script for cassette '{id}' has {script.Count} entries, but the agent made request {turnIndex + 1}. Add a turn to the script.");
                return;
            }

            var turn = script[turnIndex];
            var completionTokens = ScriptedWire.EstimateTokens(turn.Text ?? string.Empty)
                + turn.ToolCalls.Sum(c => ScriptedWire.EstimateTokens(c.Name) + ScriptedWire.EstimateTokens(c.Arguments.GetRawText()) + 3);
            var reply = new ScriptedReply(id, turnIndex, asked.Model, turn, asked.PromptTokens, completionTokens, root);
            await AnswerAsync(context, protocol, reply, asked.Streamed);
        }
    }

    /// <summary>Plays one scripted turn in <paramref name="protocol"/>'s format: a fault, an error, an answer or a stream.</summary>
    private static async Task AnswerAsync(HttpContext context, WireProtocol protocol, ScriptedReply reply, bool streamed)
    {
        var turn = reply.Turn;
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
                await context.Response.WriteAsync(protocol.MalformedAnswer(reply), context.RequestAborted);
                return;
        }

        if (turn.ErrorStatus is { } status)
        {
            if (turn.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
            }

            await ScriptedWire.WriteAsync(context, status, protocol.ErrorBody(status, turn.ErrorMessage ?? $"Scripted error {status}."), turn.LatencyMs ?? 50);
            return;
        }

        var latency = turn.LatencyMs ?? Math.Round(250 + (reply.PromptTokens * 0.02) + (reply.CompletionTokens * 12.0));
        if (!streamed)
        {
            await ScriptedWire.WriteAsync(context, 200, protocol.ScriptedAnswer(reply), latency);
            return;
        }

        var events = protocol.ScriptedEvents(reply);
        await ScriptedWire.WriteStreamAsync(context, protocol.StreamMediaType, turn.Fault == "truncated" ? events[..(events.Count / 2)] : events, latency);
        if (turn.Fault == "truncated")
        {
            // A reset discards what is still in the socket's buffer: let the half that was sent arrive first.
            await Task.Delay(100, context.RequestAborted);
            context.Abort();
        }
    }

    /// <summary>Marks an answer that is a mistake in the script, not model behaviour to record.</summary>
    internal const string ScriptErrorHeader = "x-scripted-error";
}
