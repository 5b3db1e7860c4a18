using System.Collections.Concurrent;
using System.Globalization;
using EvalHarness.Cassettes.Format;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace EvalHarness.Cassettes.Server;

/// <summary>
/// The record/replay server: Kestrel on 127.0.0.1. A client whose base URL is
/// <c>http://127.0.0.1:port/c/{cassette-id}/v1</c> is answered from that cassette, or, when recording,
/// proxied upstream with the exchange written to the cassette.
/// </summary>
/// <remarks>
/// This file only wires the request pipeline: <see cref="CassetteRoute"/> (route) → <see cref="RequestBody"/> (read)
/// → <see cref="InteractionMatcher"/> (match) → <see cref="UpstreamRecorder"/> (record) or <see cref="ReplayWriter"/>
/// (replay) → <see cref="ErrorAnswer"/> (the error's shape).
/// </remarks>
public sealed partial class CassetteServer : IAsyncDisposable
{
    /// <summary>Sent with every answer: the interaction's latency in ms (recorded, in replay), so a client can keep recorded time.</summary>
    public const string LatencyHeader = "x-evalh-latency-ms";

    /// <summary>
    /// <c>POST /_evalh/reset/{cassette-id}</c> starts a cassette over. Outside <c>/c/</c>, so no provider path can reach it.
    /// </summary>
    public const string ResetPath = "/_evalh/reset/";

    /// <summary>Sent by the scripted upstream: the latency it simulates, recorded instead of the loopback's.</summary>
    internal const string SimulatedLatencyHeader = "x-scripted-latency-ms";

    private readonly CassetteServerOptions _options;
    private readonly CassetteStore _store;
    private readonly ConcurrentDictionary<string, CassetteState> _states = new(StringComparer.Ordinal);
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All })
    {
        Timeout = TimeSpan.FromMinutes(5),
    };

    private readonly InteractionMatcher _matcher;
    private readonly UpstreamRecorder _recorder;
    private readonly ReplayWriter _replayer;
    private readonly RecordingWriter _writer;

    private WebApplication? _app;

    private CassetteServer(CassetteServerOptions options)
    {
        _options = options;
        _store = new CassetteStore(options.CassetteDirectory);
        _matcher = new InteractionMatcher(options, _store);
        _writer = new RecordingWriter(options, _store);
        _recorder = new UpstreamRecorder(options, _writer, _upstream);
        _replayer = new ReplayWriter(options);
    }

    /// <summary>
    /// The address of a server that does not listen (<see cref="CassetteServerOptions.Listen"/>): only its in-process
    /// handler answers it; the reserved <c>.invalid</c> name makes any other client fail at once instead of reaching a host.
    /// </summary>
    public static readonly Uri InProcessAddress = new("http://in-process.evalh.invalid/");

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c> (<see cref="InProcessAddress"/> when it does not listen).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The store the server reads and writes.</summary>
    public CassetteStore Store => _store;

    /// <summary>Starts a server with validated options on an ephemeral loopback port.</summary>
    public static async Task<CassetteServer> StartAsync(CassetteServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var server = new CassetteServer(options);
        if (!options.Listen)
        {
            server.BaseAddress = InProcessAddress;
            return server;
        }

        (server._app, server.BaseAddress) = await LoopbackHost.StartAsync(
            app =>
            {
                app.Map(CassetteRoute.Pattern, server.HandleSafelyAsync);
                app.MapPost(ResetPath + "{**id}", server.ResetAsync);
                // Any path, a Gemini model's dotted name too (the default fallback skips paths that look like files).
                app.MapFallback("{**path}", server.HandleCaselessAsync);
            },
            cancellationToken,
            options.Port);
        return server;
    }

    /// <summary>
    /// An HTTP handler for clients in this process: cassette requests reach the server's handler without a socket (when
    /// the server replays at once; with recorded timing they take the socket), anything else goes to <paramref name="network"/>.
    /// </summary>
    public HttpMessageHandler InProcessHandler(HttpMessageHandler network) =>
        _options.Timing == ReplayTiming.Instant ? new InProcessHandler(HandleSafelyAsync, BaseAddress, _app?.Services, network) : network;

    /// <summary>The base URL a client uses for cassette <paramref name="cassetteId"/> (ends in <c>/</c>; append <c>v1/…</c>).</summary>
    public Uri BaseAddressFor(string cassetteId) => new(BaseAddress, $"c/{cassetteId}/");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        foreach (var state in _states.Values)
        {
            await state.CloseUpstreamsAsync();
        }

        foreach (var shared in _runUpstreams.Values)
        {
            if (shared.IsCompletedSuccessfully)
            {
                await shared.Result.DisposeAsync();
            }
        }

        _upstream.Dispose();
    }

    /// <summary>Handles a request and logs it; a bug in the server answers 500 with its message, instead of an empty 500 from Kestrel.</summary>
    private async Task HandleSafelyAsync(HttpContext context)
    {
        var arrived = _options.Time.GetUtcNow();
        var started = _options.Time.GetTimestamp();
        var handled = new Handled();
        try
        {
            await HandleAsync(context, handled);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Kestrel's own limits: a body over the size limit (413) or below the minimum data rate (408).
            handled.Outcome = RequestOutcome.Rejected;
            await RejectAsync(context, handled, ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : $"The request body arrived too slowly ({ex.Message}).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            handled.Outcome = RequestOutcome.Miss;
            await ErrorAnswer.WriteAsync(context, StatusCodes.Status500InternalServerError, $"The cassette server failed: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            Log(context, arrived, started, handled.CassetteId, handled.Index + 1, handled.Outcome,
                handled.Message ?? (handled.State is { } state && state.Misses.Count > handled.MissesBefore ? state.Misses[^1].Message : null));
        }
    }

    /// <summary>Tells <see cref="CassetteServerOptions.OnRequest"/> what became of a request that arrived at <paramref name="arrived"/>.</summary>
    private void Log(HttpContext context, DateTimeOffset arrived, long started, string? cassetteId, int interaction, RequestOutcome outcome, string? message) =>
        _options.OnRequest?.Invoke(new CassetteRequestLog(
            arrived, cassetteId, interaction, outcome,
            context.RequestAborted.IsCancellationRequested ? 0 : context.Response.StatusCode,
            _options.Time.GetElapsedTime(started).TotalMilliseconds,
            message));

    /// <summary>Answers a request the server will not match or record (a bad URL, a body too large or too slow), and logs why.</summary>
    private static Task RejectAsync(HttpContext context, Handled handled, int status, string message)
    {
        handled.Message = message;
        return ErrorAnswer.WriteAsync(context, status, message, ErrorAnswer.RejectedType);
    }

    private string TooLarge() => string.Create(CultureInfo.InvariantCulture,
        $"The request body is larger than the cassette server's limit of {_options.MaxRequestBodyBytes / (1024.0 * 1024):0.##} MB (`evalh serve --max-body-mb <n>` raises it).");

    private async Task HandleAsync(HttpContext context, Handled handled)
    {
        if (Tools.ToolRoute.TryRead((string?)context.GetRouteValue(CassetteRoute.Rest) ?? string.Empty, _options.ToolServers, out var toolRoute))
        {
            await HandleToolAsync(context, toolRoute, handled);
            return;
        }

        if (!CassetteRoute.TryRead(context, _options.Instances, out var route, out var notACassette))
        {
            await RejectAsync(context, handled, StatusCodes.Status400BadRequest, notACassette);
            return;
        }

        handled.CassetteId = route.CassetteId;
        ErrorAnswer.UseProtocol(context, route.Protocol);
        if (await ReadBodyAsync(context, handled, route.Protocol) is not { } body)
        {
            return;
        }

        // An instance (a load test's replay) keeps its own state under its own id, and reads its cassette's file.
        var state = _states.GetOrAdd(route.CassetteId, static key => new CassetteState(CassetteInstance.FileId(key)));
        await state.Gate.WaitAsync(context.RequestAborted);
        try
        {
            handled.Outcome = RequestOutcome.Miss;
            var misses = handled.MissesBefore = state.Misses.Count;
            handled.State = state;
            var index = handled.Index = state.NextIndex++;
            if (!await OpenAsync(context, state, index))
            {
                return;
            }

            if (state.IsRecording && _options.RestartOnFirstRequest && index > 0 && state.Recording is [var first, ..]
                && !IsFailure(state.Recording[^1].Response)
                && _matcher.StartsOver(first, state.Recording[^1], route, body))
            {
                // The client started over: record the cassette from #1 again rather than append a second run to it.
                state.Restart();
                index = handled.Index = state.NextIndex++;
                if (!await OpenAsync(context, state, index))
                {
                    return;
                }
            }

            if (state.IsRecording)
            {
                await _recorder.RecordAsync(context, state, index, route, body.Raw, body.Json);
                handled.Outcome = state.Misses.Count == misses ? RequestOutcome.Recorded : RequestOutcome.Miss;
                return;
            }

            var match = _matcher.Match(state, index, route, body);
            if (match.Found is null && _options.RestartOnFirstRequest && index > 0 && state.Cassette is { Interactions: [var recordedFirst, ..] interactions }
                && _matcher.StartsOver(recordedFirst, index < interactions.Count ? interactions[index] : null, route, body))
            {
                // The client started over (with the first request as recorded, or a changed one that a miss at #1 will
                // diff): so does the cassette.
                state.Restart();
                index = handled.Index = state.NextIndex++;
                if (!await OpenAsync(context, state, index))
                {
                    return;
                }

                match = _matcher.Match(state, index, route, body);
            }

            if (match.Found is { } found)
            {
                state.Served.Add(found);
                _options.OnServed?.Invoke(route.CassetteId, found.Timings);
                handled.Outcome = RequestOutcome.Hit;
                await _replayer.ReplayAsync(context, state, found, match.Index);
                return;
            }

            if (_options.Mode == RecordMode.NewEpisodes)
            {
                // A new episode: keep what was recorded before this request (ordered) or all of it (unordered), record on from here.
                state.Recording.AddRange(_options.Match == MatchMode.Ordered ? state.Cassette!.Interactions.Take(index) : state.Cassette!.Interactions);
                state.IsRecording = true;
                await _recorder.RecordAsync(context, state, index, route, body.Raw, body.Json);
                handled.Outcome = state.Misses.Count == misses ? RequestOutcome.Recorded : RequestOutcome.Miss;
                return;
            }

            if (_options.RestartOnFirstRequest)
            {
                // For a long-lived client (serve), a miss does not use up the interaction: a stray request is answered
                // and the next one is still compared with the interaction it should match.
                state.NextIndex = index;
            }

            await ErrorAnswer.MissAsync(context, state, index, match.Status, match.Message, match.Difference);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>Reads the body within the size limit and the time-out; answers 413 or 408 and returns null when it cannot.</summary>
    private async Task<RequestBody?> ReadBodyAsync(HttpContext context, Handled handled, Protocols.WireProtocol protocol)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _options.MaxRequestBodyBytes;
        }

        if (context.Request.ContentLength > _options.MaxRequestBodyBytes)
        {
            await RejectAsync(context, handled, StatusCodes.Status413PayloadTooLarge, TooLarge());
            return null;
        }

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        patience.CancelAfter(_options.RequestBodyTimeout);
        try
        {
            return (await RequestBody.ReadAsync(context.Request, _options.Scrubbers, patience.Token)).As(protocol);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await RejectAsync(context, handled, StatusCodes.Status408RequestTimeout, string.Create(CultureInfo.InvariantCulture,
                $"The request body did not arrive within {_options.RequestBodyTimeout.TotalSeconds:0.###} s; nothing was matched or recorded."));
            return null;
        }
    }

    /// <summary>Opens the cassette on its first request; answers the miss and returns false when its file cannot be read.</summary>
    private async Task<bool> OpenAsync(HttpContext context, CassetteState state, int index)
    {
        if (state.Open(_store, _options) is { } unreadable)
        {
            await ErrorAnswer.MissAsync(context, state, index, StatusCodes.Status500InternalServerError, unreadable);
            return false;
        }

        return true;
    }

    private static bool IsFailure(RecordedResponse response) => response.Fault is not null || response.Status >= 400;

    /// <summary><c>POST /_evalh/reset/{cassette-id}</c>: the cassette starts over, its file read again on the next request.</summary>
    private async Task ResetAsync(HttpContext context)
    {
        var arrived = _options.Time.GetUtcNow();
        var started = _options.Time.GetTimestamp();
        var id = (string?)context.GetRouteValue("id") ?? string.Empty;
        string? message = null;
        if (CassetteStore.IdProblem(id) is { } problem)
        {
            message = $"Nothing was reset: {problem}";
            await ErrorAnswer.WriteAsync(context, StatusCodes.Status400BadRequest, message, ErrorAnswer.RejectedType);
        }
        else if (!_states.TryGetValue(id, out var state) && !File.Exists(_store.PathFor(id)))
        {
            // A typo in the id would otherwise look like a reset that worked.
            message = $"Nothing was reset: there is no cassette '{id}' (no file {_store.PathFor(id)}, and no request has used it).";
            await ErrorAnswer.WriteAsync(context, StatusCodes.Status404NotFound, message, ErrorAnswer.RejectedType);
        }
        else
        {
            if (state is not null)
            {
                await state.Gate.WaitAsync(context.RequestAborted);
                try
                {
                    state.Restart();
                }
                finally
                {
                    state.Gate.Release();
                }
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"reset\":\"{id}\"}}", context.RequestAborted); // a valid id needs no escapes
        }

        Log(context, arrived, started, id, 0, RequestOutcome.Reset, message);
    }

    /// <summary>What became of a request, for its log line.</summary>
    private sealed class Handled
    {
        public string? CassetteId { get; set; }

        public int Index { get; set; } = -1;

        public RequestOutcome Outcome { get; set; } = RequestOutcome.Rejected;

        /// <summary>The cassette, once the request reached one: its misses after the request say what went wrong.</summary>
        public CassetteState? State { get; set; }

        public int MissesBefore { get; set; }

        /// <summary>Why a request was rejected before it reached a cassette, for its log line.</summary>
        public string? Message { get; set; }
    }
}
