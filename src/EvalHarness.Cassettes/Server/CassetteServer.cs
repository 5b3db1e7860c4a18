using System.Collections.Concurrent;
using EvalHarness.Cassettes.Format;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

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
public sealed class CassetteServer : IAsyncDisposable
{
    /// <summary>Sent with every answer: the interaction's latency in ms (recorded, in replay), so a client can keep recorded time.</summary>
    public const string LatencyHeader = "x-evalh-latency-ms";

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

    private WebApplication? _app;

    private CassetteServer(CassetteServerOptions options)
    {
        _options = options;
        _store = new CassetteStore(options.CassetteDirectory);
        _matcher = new InteractionMatcher(options, _store);
        _recorder = new UpstreamRecorder(options, new RecordingWriter(options, _store), _upstream);
        _replayer = new ReplayWriter(options);
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The store the server reads and writes.</summary>
    public CassetteStore Store => _store;

    /// <summary>Starts a server with validated options on an ephemeral loopback port.</summary>
    public static async Task<CassetteServer> StartAsync(CassetteServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var server = new CassetteServer(options);
        (server._app, server.BaseAddress) = await LoopbackHost.StartAsync(
            app => app.Map("/c/{**rest}", server.HandleSafelyAsync), cancellationToken, options.Port);
        return server;
    }

    /// <summary>The base URL a client uses for cassette <paramref name="cassetteId"/> (ends in <c>/</c>; append <c>v1/…</c>).</summary>
    public Uri BaseAddressFor(string cassetteId) => new(BaseAddress, $"c/{cassetteId}/");

    /// <summary>Returns what was served and missed for a cassette, and forgets it, so the id can be used afresh.</summary>
    /// <remarks>
    /// Waits for a request of the cassette still being handled: a streaming client may stop reading at its
    /// last event while the server is still writing the cassette.
    /// </remarks>
    public async Task<CassetteActivity> TakeActivityAsync(string cassetteId, CancellationToken cancellationToken = default)
    {
        if (!_states.TryGetValue(cassetteId, out var state))
        {
            return CassetteActivity.Empty;
        }

        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            _states.TryRemove(cassetteId, out _);
            return new CassetteActivity([.. state.Served], [.. state.Misses]);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _upstream.Dispose();
    }

    /// <summary>A bug in the server answers 500 with its message, instead of an empty 500 from Kestrel.</summary>
    private async Task HandleSafelyAsync(HttpContext context)
    {
        try
        {
            await HandleAsync(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            await ErrorAnswer.WriteAsync(context, StatusCodes.Status500InternalServerError, $"The cassette server failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!CassetteRoute.TryRead(context, out var route, out var notACassette))
        {
            await ErrorAnswer.WriteAsync(context, StatusCodes.Status400BadRequest, notACassette);
            return;
        }

        var body = await RequestBody.ReadAsync(context.Request, _options.Scrubbers, context.RequestAborted);
        var state = _states.GetOrAdd(route.CassetteId, static key => new CassetteState(key));
        await state.Gate.WaitAsync(context.RequestAborted);
        try
        {
            var index = state.NextIndex++;
            if (state.Open(_store, _options) is { } unreadable)
            {
                await ErrorAnswer.MissAsync(context, state, index, StatusCodes.Status500InternalServerError, unreadable);
                return;
            }

            if (state.IsRecording)
            {
                await _recorder.RecordAsync(context, state, index, route.ProviderPath, body.Raw, body.Json);
                return;
            }

            var match = _matcher.Match(state, index, route.ProviderPath, body);
            if (match.Found is { } found)
            {
                state.Served.Add(found);
                await _replayer.ReplayAsync(context, state, found, match.Index);
                return;
            }

            if (_options.Mode == RecordMode.NewEpisodes)
            {
                // A new episode: keep what was recorded before this request (ordered) or all of it (unordered), record on from here.
                state.Recording.AddRange(_options.Match == MatchMode.Ordered ? state.Cassette!.Interactions.Take(index) : state.Cassette!.Interactions);
                state.IsRecording = true;
                await _recorder.RecordAsync(context, state, index, route.ProviderPath, body.Raw, body.Json);
                return;
            }

            await ErrorAnswer.MissAsync(context, state, index, match.Status, match.Message, match.Difference);
        }
        finally
        {
            state.Gate.Release();
        }
    }
}
