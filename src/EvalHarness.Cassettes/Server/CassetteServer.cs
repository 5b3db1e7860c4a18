using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Matching;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EvalHarness.Cassettes.Server;

/// <summary>
/// The record/replay server: Kestrel on 127.0.0.1. A client whose base URL is
/// <c>http://127.0.0.1:port/c/{cassette-id}/v1</c> is answered from that cassette, or, when recording,
/// proxied upstream with the exchange written to the cassette.
/// </summary>
public sealed partial class CassetteServer : IAsyncDisposable
{
    /// <summary>Request headers a cassette keeps. Everything else (auth above all) is never written.</summary>
    internal static readonly HashSet<string> RecordedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "anthropic-version", "anthropic-beta", "openai-beta",
    };

    /// <summary>Response headers a cassette keeps.</summary>
    internal static readonly HashSet<string> RecordedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "retry-after", "retry-after-ms",
    };

    /// <summary>Sent with every answer: the interaction's latency in ms (recorded, in replay), so a client can keep recorded time.</summary>
    public const string LatencyHeader = "x-evalh-latency-ms";

    /// <summary>Sent by the scripted upstream: the latency it simulates, recorded instead of the loopback's.</summary>
    internal const string SimulatedLatencyHeader = "x-scripted-latency-ms";

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade", "accept-encoding",
    };

    private readonly CassetteServerOptions _options;
    private readonly CassetteStore _store;
    private readonly ConcurrentDictionary<string, CassetteState> _states = new(StringComparer.Ordinal);
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All })
    {
        Timeout = TimeSpan.FromMinutes(5),
    };

    private WebApplication? _app;

    private CassetteServer(CassetteServerOptions options)
    {
        _options = options;
        _store = new CassetteStore(options.CassetteDirectory);
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
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"The cassette server failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var rest = (string?)context.GetRouteValue("rest") ?? string.Empty;
        if (!LoopbackHost.TrySplit(rest, out var id, out var providerPath) || !CassetteStore.IsValidId(id))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest,
                $"'/c/{rest}' is not a cassette URL: use /c/<cassette-id>/v1/... with an id of letters, digits, '.', '_', '-' and '/'.");
            return;
        }

        var body = new RequestBody(await ReadBodyAsync(context.Request, context.RequestAborted), _options.Scrubbers);
        providerPath += SecretScanner.ScrubQuery(context.Request.QueryString.Value ?? string.Empty);
        var state = _states.GetOrAdd(id, static key => new CassetteState(key));
        await state.Gate.WaitAsync(context.RequestAborted);
        try
        {
            var index = state.NextIndex++;
            if (!state.Loaded)
            {
                state.Loaded = true;
                try
                {
                    state.Cassette = _store.Load(state.Id);
                }
                catch (CassetteFormatException ex) when (_options.Mode == RecordMode.All)
                {
                    // Being replaced anyway: a corrupt old file does not stop a re-recording.
                    _ = ex;
                }
                catch (CassetteFormatException ex)
                {
                    await MissAsync(context, state, index, StatusCodes.Status500InternalServerError, ex.Message);
                    return;
                }

                state.Previous = state.Cassette;
                if (_options.Mode != RecordMode.All && state.Cassette is not null)
                {
                    // Ready for replay: every interaction's request and answer as written on the wire.
                    state.Prepare(_options.Match == MatchMode.Unordered);
                }

                // all: always record; once and new_episodes: record a cassette that does not exist yet.
                state.IsRecording = _options.Mode == RecordMode.All || (_options.Mode != RecordMode.None && state.Cassette is null);
            }

            if (state.IsRecording)
            {
                await RecordAsync(context, state, index, providerPath, body.Raw, body.Json);
                return;
            }

            var match = Match(state, index, providerPath, body);
            if (match.Found is { } found)
            {
                state.Served.Add(found);
                if (found.Response.Fault is not null)
                {
                    await ReplayFaultAsync(context, found, state.ResponseBytes(match.Index, found.Response));
                    return;
                }

                context.Response.Headers[LatencyHeader] = found.Timings.TotalMs.ToString(CultureInfo.InvariantCulture);
                if (_options.Timing == ReplayTiming.Realistic)
                {
                    await WriteRealisticAsync(context, found, state.ResponseBytes(match.Index, found.Response));
                    return;
                }

                await WriteRecordedAsync(context, found.Response, state.ResponseBytes(match.Index, found.Response));
                return;
            }

            if (_options.Mode == RecordMode.NewEpisodes)
            {
                // A new episode: keep what was recorded before this request (ordered) or all of it (unordered), record on from here.
                state.Recording.AddRange(_options.Match == MatchMode.Ordered ? state.Cassette!.Interactions.Take(index) : state.Cassette!.Interactions);
                state.IsRecording = true;
                await RecordAsync(context, state, index, providerPath, body.Raw, body.Json);
                return;
            }

            await MissAsync(context, state, index, match.Status, match.Message, match.Difference);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private const string Rerecord = "re-record it with `evalh record <suite> --upstream <url|scripted>` (or run with --record-mode new_episodes)";

    private IReadOnlySet<string>? _ignored;

    private IReadOnlySet<string> Ignored => _ignored ??= new HashSet<string>(CassetteServerOptions.VolatilePaths.Concat(_options.IgnoredRequestPaths), StringComparer.Ordinal);

    /// <summary>Finds the recorded interaction for a request, or says why there is none.</summary>
    private (Interaction? Found, int Index, int Status, string Message, JsonDifference? Difference) Match(CassetteState state, int index, string providerPath, RequestBody body)
    {
        // The file's path is only for the messages: worked out when one is written.
        string CassetteFile() => _store.PathFor(state.Id);
        if (state.Cassette is not { } cassette)
        {
            return (null, -1, StatusCodes.Status404NotFound, $"cassette '{state.Id}' not found at {CassetteFile()}. Record it with `evalh record <suite> --upstream <url|scripted>`.", null);
        }

        JsonDifference? Differ(Interaction i) => !string.Equals(i.Request.Path, providerPath, StringComparison.Ordinal)
            ? new JsonDifference("(path)", i.Request.Path, providerPath)
            : JsonDiff.First(i.Request.Body, body.Json, Ignored);

        // The common case first: the request is the recorded one written the same way (escapes aside), so it
        // matches without being parsed or compared value by value.
        bool Same(int i) => string.Equals(cassette.Interactions[i].Request.Path, providerPath, StringComparison.Ordinal)
            && JsonText.SameUpToEscapes(body.Raw, state.RequestBytes(i));

        if (_options.Match == MatchMode.Unordered)
        {
            state.Used ??= new bool[cassette.Interactions.Count];
            if (state.FindUnusedSame(body.Raw, providerPath) is var same and >= 0)
            {
                state.Used[same] = true;
                return (cassette.Interactions[same], same, 200, string.Empty, null);
            }

            // Then the same text up to escapes (cheap), and only then value by value, with the ignored paths.
            var firstUnused = -1;
            foreach (var exact in (bool[])[true, false])
            {
                for (var i = 0; i < cassette.Interactions.Count; i++)
                {
                    if (state.Used[i])
                    {
                        continue;
                    }

                    firstUnused = firstUnused < 0 ? i : firstUnused;
                    if (exact ? Same(i) : Differ(cassette.Interactions[i]) is null)
                    {
                        state.Used[i] = true;
                        return (cassette.Interactions[i], i, 200, string.Empty, null);
                    }
                }
            }

            if (firstUnused < 0)
            {
                return (null, -1, StatusCodes.Status409Conflict,
                    $"cassette '{state.Id}' ({CassetteFile()}): all {cassette.Interactions.Count} interaction(s) were used, but the agent made request #{index + 1}. {Capitalise(Rerecord)}.", null);
            }

            var nearest = Differ(cassette.Interactions[firstUnused])!;
            return (null, -1, StatusCodes.Status409Conflict,
                $"cassette '{state.Id}' ({CassetteFile()}): no unused interaction matches request #{index + 1}; the nearest, interaction #{firstUnused + 1}, differs at {nearest.Path}: "
                + $"recorded {nearest.Expected}, got {nearest.Actual}. If the change is intended, {Rerecord}.", nearest);
        }

        if (index >= cassette.Interactions.Count)
        {
            return (null, -1, StatusCodes.Status409Conflict,
                $"cassette '{state.Id}' ({CassetteFile()}) has {cassette.Interactions.Count} interaction(s), but the agent made request #{index + 1}. "
                + $"The agent now makes more model calls than when it was recorded: {Rerecord}.", null);
        }

        var recorded = cassette.Interactions[index];
        if (!Same(index) && Differ(recorded) is { } difference)
        {
            return (null, -1, StatusCodes.Status409Conflict,
                $"cassette '{state.Id}' ({CassetteFile()}), interaction #{index + 1}: the request differs from the recording at {difference.Path}: "
                + $"recorded {difference.Expected}, got {difference.Actual}. If the change is intended, {Rerecord}.", difference);
        }

        return (recorded, index, 200, string.Empty, null);
    }

    private static string Capitalise(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private async Task RecordAsync(HttpContext context, CassetteState state, int index, string providerPath, byte[] raw, JsonElement body)
    {
        // The query goes upstream as the client sent it; the cassette keeps it scrubbed (in providerPath).
        var target = providerPath.StartsWith("v1/messages", StringComparison.Ordinal) && _options.AnthropicUpstream is { } anthropic ? anthropic : _options.Upstream!;
        var upstream = new Uri(target.Replace("{cassette}", state.Id, StringComparison.Ordinal).TrimEnd('/') + "/"
            + providerPath.Split('?', 2)[0] + (context.Request.QueryString.Value ?? string.Empty));
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), upstream);
        var secrets = new List<string>(_options.Secrets);
        foreach (var header in context.Request.Headers)
        {
            if (NotForwarded.Contains(header.Key) || header.Key.StartsWith("content-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value!);
            if (header.Key.Equals("authorization", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("x-api-key", StringComparison.OrdinalIgnoreCase))
            {
                // The live key is known here: whatever else happens, it must not reach the file.
                secrets.AddRange(header.Value.Select(v => v!.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? v[7..] : v!));
            }
        }

        request.Content = new ByteArrayContent(raw);
        request.Content.Headers.TryAddWithoutValidation("content-type", context.Request.ContentType ?? "application/json");

        var clock = Stopwatch.StartNew();
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        patience.CancelAfter(_options.UpstreamTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await RecordFaultAsync(context, state, index, providerPath, body, "timeout", clock.Elapsed.TotalMilliseconds, secrets);
            return;
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            await MissAsync(context, state, index, StatusCodes.Status502BadGateway,
                $"cassette '{state.Id}': the upstream {upstream.GetLeftPart(UriPartial.Authority)} could not be reached ({ex.Message}). Nothing was recorded.");
            return;
        }
        catch (HttpRequestException)
        {
            // The upstream took the request, then dropped the connection: that is what happened, so it is recorded.
            await RecordFaultAsync(context, state, index, providerPath, body, "reset", clock.Elapsed.TotalMilliseconds, secrets);
            return;
        }

        using (response)
        {
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                await RecordStreamAsync(context, state, index, providerPath, body, response, clock, secrets);
                return;
            }

            var firstByteMs = clock.Elapsed.TotalMilliseconds;
            byte[] bytes;
            try
            {
                bytes = await response.Content.ReadAsByteArrayAsync(patience.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
            {
                await RecordFaultAsync(context, state, index, providerPath, body, ex is OperationCanceledException ? "timeout" : "reset", clock.Elapsed.TotalMilliseconds, secrets);
                return;
            }

            var totalMs = clock.Elapsed.TotalMilliseconds;
            if (response.Headers.Contains(Scripted.ScriptedUpstream.ScriptErrorHeader))
            {
                // A mistake in the script is the user's input error, not model behaviour: report it, record nothing.
                await MissAsync(context, state, index, (int)response.StatusCode, $"cassette '{state.Id}': the scripted upstream refused request #{index + 1}: {ErrorMessage(bytes)}");
                return;
            }

            if (response.Headers.TryGetValues(SimulatedLatencyHeader, out var simulated)
                && double.TryParse(simulated.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var simulatedMs))
            {
                firstByteMs = totalMs = simulatedMs;
            }

            var responseHeaders = response.Headers.Concat(response.Content.Headers)
                .Where(h => RecordedResponseHeaders.Contains(h.Key))
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value), StringComparer.Ordinal);
            // A body that is not JSON (a malformed answer, an HTML error page) is kept as the text it was.
            var recorded = TryParseJson(bytes) is { } json
                ? new RecordedResponse((int)response.StatusCode, responseHeaders, SecretScanner.Scrub(json, _options.Scrubbers))
                : new RecordedResponse((int)response.StatusCode, responseHeaders, BodyText: _options.Scrubbers.Aggregate(Encoding.UTF8.GetString(bytes), (t, s) => s.Pattern.Replace(t, s.Replacement)));
            if (Append(state, context.Request, providerPath, body, recorded, firstByteMs, totalMs, secrets) is { } refused)
            {
                await MissAsync(context, state, index, StatusCodes.Status500InternalServerError, refused);
                return;
            }

            state.Served.Add(state.Recording[^1]);
            context.Response.Headers[LatencyHeader] = state.Recording[^1].Timings.TotalMs.ToString(CultureInfo.InvariantCulture);
            await WriteRecordedAsync(context, recorded, bytes);
        }
    }

    /// <summary>Proxies a server-sent event stream to the client as it arrives, recording each event with its offset.</summary>
    private async Task RecordStreamAsync(
        HttpContext context, CassetteState state, int index, string providerPath, JsonElement body, HttpResponseMessage response, Stopwatch clock, List<string> secrets)
    {
        var firstByteMs = clock.Elapsed.TotalMilliseconds;
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = "text/event-stream";
        if (response.Headers.TryGetValues(SimulatedLatencyHeader, out var announced))
        {
            context.Response.Headers[LatencyHeader] = announced.First();
        }
        await context.Response.StartAsync(context.RequestAborted);
        var events = new List<(double OffsetMs, string? Event, string Data)>();
        string? name = null;
        var data = new StringBuilder();
        var truncated = false;
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(context.RequestAborted), Encoding.UTF8))
        {
            while (await ReadLineAsync(reader, context.RequestAborted) is { } line)
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        events.Add((clock.Elapsed.TotalMilliseconds, name, data.ToString()));
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                    }

                    (name, data) = (null, data.Clear());
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(data.Length > 0 ? "\n" : string.Empty).Append(line[5..].TrimStart());
                }
            }
        }

        async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
        {
            try
            {
                return await reader.ReadLineAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // The upstream cut the stream off: what arrived is recorded, and the cut too.
                truncated = true;
                return null;
            }
        }

        if (data.Length > 0)
        {
            // A stream cut off before its last blank line: what arrived is what happened.
            events.Add((clock.Elapsed.TotalMilliseconds, name, data.ToString()));
        }

        var totalMs = clock.Elapsed.TotalMilliseconds;
        if (response.Headers.TryGetValues(SimulatedLatencyHeader, out var simulated)
            && double.TryParse(simulated.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var simulatedMs))
        {
            // The scripted upstream's simulated timing: first byte at 30%, the events spread evenly after it.
            firstByteMs = Math.Round(simulatedMs * 0.3, 1);
            totalMs = simulatedMs;
            events = [.. events.Select((e, i) => (firstByteMs + ((totalMs - firstByteMs) * (events.Count == 1 ? 1 : (double)i / (events.Count - 1))), e.Event, e.Data))];
        }

        var recorded = new RecordedResponse(
            (int)response.StatusCode,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["content-type"] = "text/event-stream" },
            null,
            [.. events.Select(e => new SseEvent(Math.Round(e.OffsetMs, 1), SecretScanner.Scrub(ParseBody(Encoding.UTF8.GetBytes(e.Data)), _options.Scrubbers), e.Event))],
            Fault: truncated ? "truncated" : null);
        if (Append(state, context.Request, providerPath, body, recorded, firstByteMs, totalMs, secrets) is { } refused)
        {
            // The client already has the stream; the cassette must still not be written.
            state.Misses.Add(new CassetteMiss(state.Id, index, refused));
            return;
        }

        if (truncated)
        {
            context.Abort();
        }

        state.Served.Add(state.Recording[^1]);
    }

    /// <summary>Adds an interaction to the recording and writes the cassette; returns why the write was refused, or null.</summary>
    private string? Append(
        CassetteState state, HttpRequest request, string providerPath, JsonElement body, RecordedResponse recorded, double firstByteMs, double totalMs, List<string> secrets)
    {
        var requestHeaders = request.Headers
            .Where(h => RecordedRequestHeaders.Contains(h.Key))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        state.Recording.Add(new Interaction(
            new RecordedRequest(request.Method, providerPath, requestHeaders, body),
            recorded,
            new InteractionTimings(Math.Round(firstByteMs, 1), Math.Round(totalMs, 1))));
        try
        {
            var cassette = new Cassette { Id = state.Id, Provider = ProviderOf(providerPath), RecordedFrom = _options.RecordedFrom, Interactions = [.. state.Recording] };
            _store.Save(cassette with { Metadata = Metadata(state, request, cassette) }, secrets);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            state.Recording.RemoveAt(state.Recording.Count - 1);
            return ex.Message;
        }
    }

    private static readonly string HarnessVersion =
        typeof(CassetteServer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The cassette's metadata; the recording time stays the old one while the recording repeats the old cassette exactly.</summary>
    private CassetteMetadata Metadata(CassetteState state, HttpRequest request, Cassette cassette)
    {
        var first = cassette.Interactions[0].Request.Body;
        var model = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var recordedAt = _options.Time.GetUtcNow();
        if (state.Previous is { Metadata: { } previous } old && old.Interactions.Count >= cassette.Interactions.Count
            && JsonSerializer.Serialize(old.Interactions.Take(cassette.Interactions.Count).ToList(), CassetteJsonContext.Default.ListInteraction)
               == JsonSerializer.Serialize(cassette.Interactions.ToList(), CassetteJsonContext.Default.ListInteraction))
        {
            recordedAt = previous.RecordedAt;
        }

        var seconds = new DateTimeOffset(recordedAt.UtcTicks - (recordedAt.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return new CassetteMetadata(seconds, HarnessVersion, model, request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null);
    }

    private static string ErrorMessage(byte[] body)
    {
        var parsed = ParseBody(body);
        return parsed.ValueKind == JsonValueKind.Object && parsed.TryGetProperty("error", out var e) && e.TryGetProperty("message", out var m)
            ? m.GetString() ?? string.Empty
            : Encoding.UTF8.GetString(body);
    }

    private static string ProviderOf(string providerPath) =>
        providerPath.StartsWith("v1/messages", StringComparison.Ordinal) ? "anthropic" : "openai";

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = request.ContentLength is { } length and <= int.MaxValue ? new MemoryStream((int)length) : new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    /// <summary>A request's body as it came, and as scrubbed JSON, parsed only when needed.</summary>
    private sealed class RequestBody(byte[] raw, IReadOnlyList<Scrubber> scrubbers)
    {
        private JsonElement? _json;

        public byte[] Raw { get; } = raw;

        public JsonElement Json => _json ??= SecretScanner.Scrub(ParseBody(Raw), scrubbers);
    }

    /// <summary>A body as a JSON value; a body that is not JSON is kept as a JSON string.</summary>
    private static JsonElement ParseBody(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return JsonSerializer.SerializeToElement(string.Empty, CassetteJsonContext.Default.String);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(bytes), CassetteJsonContext.Default.String);
        }
    }

    private static async Task WriteRecordedAsync(HttpContext context, RecordedResponse response, byte[] bytes)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>Replays with the recorded timing: a plain answer after its total time, a stream event by event at its offsets.</summary>
    private async Task WriteRealisticAsync(HttpContext context, Interaction interaction, byte[] bytes)
    {
        var time = _options.Time;
        var start = time.GetTimestamp();
        async Task WaitUntil(double ms)
        {
            var left = ms - time.GetElapsedTime(start).TotalMilliseconds;
            if (left > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(left), time, context.RequestAborted);
            }
        }

        if (interaction.Response.Events is not { } events)
        {
            await WaitUntil(interaction.Timings.TotalMs);
            await WriteRecordedAsync(context, interaction.Response, bytes);
            return;
        }

        context.Response.StatusCode = interaction.Response.Status;
        context.Response.ContentType = "text/event-stream";
        await WaitUntil(interaction.Timings.FirstByteMs);
        await context.Response.StartAsync(context.RequestAborted);
        foreach (var e in events)
        {
            await WaitUntil(e.OffsetMs);
            var data = e.Data.ValueKind == JsonValueKind.String ? e.Data.GetString() : JsonSerializer.Serialize(e.Data);
            await context.Response.WriteAsync((e.Event is null ? string.Empty : $"event: {e.Event}\n") + $"data: {data}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>Records a request that got no answer (a timeout or a dropped connection), and drops the client's connection as the upstream did.</summary>
    private async Task RecordFaultAsync(HttpContext context, CassetteState state, int index, string providerPath, JsonElement body, string fault, double afterMs, List<string> secrets)
    {
        var recorded = new RecordedResponse(0, new Dictionary<string, string>(StringComparer.Ordinal), Fault: fault);
        if (Append(state, context.Request, providerPath, body, recorded, afterMs, afterMs, secrets) is { } refused)
        {
            await MissAsync(context, state, index, StatusCodes.Status500InternalServerError, refused);
            return;
        }

        state.Served.Add(state.Recording[^1]);
        context.Abort();
    }

    /// <summary>Reproduces a recorded fault: after the recorded time when realistic, the connection drops (a cut stream first sends its events).</summary>
    private async Task ReplayFaultAsync(HttpContext context, Interaction interaction, byte[] bytes)
    {
        if (interaction.Response.Events is not null)
        {
            if (_options.Timing == ReplayTiming.Realistic)
            {
                await WriteRealisticAsync(context, interaction, bytes);
            }
            else
            {
                context.Response.StatusCode = interaction.Response.Status;
                context.Response.ContentType = "text/event-stream";
                await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            // A reset discards what is still in the socket's buffer: let the recorded events arrive before the cut.
            await Task.Delay(50, context.RequestAborted);
        }
        else if (_options.Timing == ReplayTiming.Realistic)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(interaction.Timings.TotalMs), _options.Time, context.RequestAborted);
        }

        context.Abort();
    }

    private static JsonElement? TryParseJson(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task MissAsync(HttpContext context, CassetteState state, int index, int status, string message, JsonDifference? difference = null)
    {
        state.Misses.Add(new CassetteMiss(state.Id, index, message, difference));
        await WriteErrorAsync(context, status, message);
    }

    /// <summary>Answers in the OpenAI error shape, which both SDKs surface in their exception messages.</summary>
    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", "cassette_miss");
            writer.WriteString("code", "cassette_miss");
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }
}
