using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>Records a request: forwards it upstream, answers the client with what came back and adds the exchange to the cassette.</summary>
internal sealed partial class UpstreamRecorder(CassetteServerOptions options, RecordingWriter writer, HttpClient upstream)
{
    /// <summary>Response headers a cassette keeps.</summary>
    public static readonly HashSet<string> RecordedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "retry-after", "retry-after-ms",
    };

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade", "accept-encoding",
    };

    /// <summary>Upstream response headers the client does not get: hop by hop, the body's framing (it arrives decompressed), Kestrel's own.</summary>
    private static readonly HashSet<string> NotPassedBack = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "transfer-encoding", "keep-alive", "upgrade", "content-length", "content-encoding", "date", "server",
        CassetteServer.SimulatedLatencyHeader, Scripted.ScriptedUpstream.ScriptErrorHeader,
    };

    /// <summary>
    /// Copies the client's headers onto the request that goes upstream, but for <paramref name="skipped"/> and the body's
    /// own (<c>content-*</c>); the keys its credential headers carry join <paramref name="secrets"/>, since whatever else
    /// happens, a live key must not reach the file.
    /// </summary>
    internal static void ForwardHeaders(IHeaderDictionary headers, HttpRequestMessage request, IReadOnlySet<string> skipped, List<string> secrets)
    {
        foreach (var header in headers)
        {
            if (skipped.Contains(header.Key) || header.Key.StartsWith("content-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value!);
            if (SecretScanner.IsCredentialHeader(header.Key))
            {
                secrets.AddRange(SecretScanner.KeysOf(header.Value));
            }
        }
    }

    /// <summary>Records request #<paramref name="index"/> (0-based) of the cassette.</summary>
    public async Task RecordAsync(HttpContext context, CassetteState state, int index, CassetteRoute route, byte[] raw, JsonElement body)
    {
        // The query goes upstream as the client sent it; the cassette keeps it scrubbed (in the route's path).
        var target = options.ProtocolUpstreams.GetValueOrDefault(route.Protocol.Name) ?? options.Upstream!;
        var address = new Uri(target.Replace("{cassette}", state.Id, StringComparison.Ordinal).TrimEnd('/') + "/"
            + route.ProviderPath.Split('?', 2)[0] + (context.Request.QueryString.Value ?? string.Empty));
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), address);
        var secrets = new List<string>(options.Secrets);
        // A key in the query (?key=, ?secret=) is as live as one in a header: the path keeps it scrubbed, and a body
        // that echoes it must not reach the file either.
        secrets.AddRange(SecretScanner.CredentialQueryValues(context.Request.QueryString.Value));
        ForwardHeaders(context.Request.Headers, request, NotForwarded, secrets);

        request.Content = new ByteArrayContent(raw);
        request.Content.Headers.TryAddWithoutValidation("content-type", context.Request.ContentType ?? "application/json");

        var clock = Stopwatch.StartNew();
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        patience.CancelAfter(options.UpstreamTimeout);
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await RecordFaultAsync(context, state, index, route, body, "timeout", clock.Elapsed.TotalMilliseconds, secrets);
            return;
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            await ErrorAnswer.MissAsync(context, state, index, StatusCodes.Status502BadGateway,
                $"cassette '{state.Id}': the upstream {address.GetLeftPart(UriPartial.Authority)} could not be reached ({ex.Message}). Nothing was recorded.");
            return;
        }
        catch (HttpRequestException)
        {
            // The upstream took the request, then dropped the connection: that is what happened, so it is recorded.
            await RecordFaultAsync(context, state, index, route, body, "reset", clock.Elapsed.TotalMilliseconds, secrets);
            return;
        }

        options.OnUpstreamAnswer?.Invoke(state.Id, (int)response.StatusCode, RetryAfter(response));
        using (response)
        {
            if (StreamFraming.IsStream(response.Content.Headers.ContentType?.MediaType))
            {
                await RecordStreamAsync(context, state, index, route, body, response, clock, secrets);
                return;
            }

            await RecordPlainAsync(context, state, index, route, body, response, clock, patience.Token, secrets);
        }
    }

    private async Task RecordPlainAsync(
        HttpContext context, CassetteState state, int index, CassetteRoute route, JsonElement body, HttpResponseMessage response, Stopwatch clock,
        CancellationToken patience, List<string> secrets)
    {
        var firstByteMs = clock.Elapsed.TotalMilliseconds;
        byte[] bytes;
        try
        {
            bytes = await response.Content.ReadAsByteArrayAsync(patience);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !context.RequestAborted.IsCancellationRequested))
        {
            await RecordFaultAsync(context, state, index, route, body, ex is OperationCanceledException ? "timeout" : "reset", clock.Elapsed.TotalMilliseconds, secrets);
            return;
        }

        var totalMs = clock.Elapsed.TotalMilliseconds;
        if (response.Headers.Contains(Scripted.ScriptedUpstream.ScriptErrorHeader))
        {
            // A mistake in the script is the user's input error, not model behaviour: report it, record nothing.
            await ErrorAnswer.MissAsync(context, state, index, (int)response.StatusCode, $"cassette '{state.Id}': the scripted upstream refused request #{index + 1}: {ErrorMessage(bytes)}");
            return;
        }

        if (SimulatedLatency(response) is { } simulatedMs)
        {
            firstByteMs = totalMs = simulatedMs;
        }

        var responseHeaders = response.Headers.Concat(response.Content.Headers)
            .Where(h => RecordedResponseHeaders.Contains(h.Key))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value), StringComparer.Ordinal);
        // A body that is not JSON (a malformed answer, an HTML error page) is kept as the text it was.
        var recorded = WireJson.TryParse(bytes) is { } json
            ? new RecordedResponse((int)response.StatusCode, responseHeaders, SecretScanner.Scrub(json, options.Scrubbers))
            : new RecordedResponse((int)response.StatusCode, responseHeaders, BodyText: options.Scrubbers.Aggregate(Encoding.UTF8.GetString(bytes), (t, s) => s.Pattern.Replace(t, s.Replacement)));
        if (writer.Append(state, context.Request, route, body, recorded, firstByteMs, totalMs, secrets) is { } refused)
        {
            await ErrorAnswer.MissAsync(context, state, index, StatusCodes.Status500InternalServerError, refused);
            return;
        }

        state.Served.Add(state.Recording[^1]);
        PassBackHeaders(context, response);
        context.Response.Headers[CassetteServer.LatencyHeader] = state.Recording[^1].Timings.TotalMs.ToString(CultureInfo.InvariantCulture);
        await ReplayWriter.WriteRecordedAsync(context, recorded, bytes);
    }

    /// <summary>Records a request that got no answer (a timeout or a dropped connection), and drops the client's connection as the upstream did.</summary>
    private async Task RecordFaultAsync(HttpContext context, CassetteState state, int index, CassetteRoute route, JsonElement body, string fault, double afterMs, List<string> secrets)
    {
        var recorded = new RecordedResponse(0, new Dictionary<string, string>(StringComparer.Ordinal), Fault: fault);
        if (writer.Append(state, context.Request, route, body, recorded, afterMs, afterMs, secrets) is { } refused)
        {
            await ErrorAnswer.MissAsync(context, state, index, StatusCodes.Status500InternalServerError, refused);
            return;
        }

        state.Served.Add(state.Recording[^1]);
        context.Abort();
    }

    /// <summary>
    /// While recording the client gets the upstream's headers (<c>x-request-id</c>, rate limits) as a live call would,
    /// though the cassette keeps only <see cref="RecordedResponseHeaders"/>.
    /// </summary>
    private static void PassBackHeaders(HttpContext context, HttpResponseMessage response)
    {
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!NotPassedBack.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
    }

    /// <summary>The latency the scripted upstream simulates, recorded instead of the loopback's.</summary>
    private static double? SimulatedLatency(HttpResponseMessage response) =>
        response.Headers.TryGetValues(CassetteServer.SimulatedLatencyHeader, out var simulated)
        && double.TryParse(simulated.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms : null;

    private static string ErrorMessage(byte[] body)
    {
        var parsed = WireJson.Parse(body);
        return parsed.ValueKind == JsonValueKind.Object && parsed.TryGetProperty("error", out var e) && e.TryGetProperty("message", out var m)
            ? m.GetString() ?? string.Empty
            : Encoding.UTF8.GetString(body);
    }

    /// <summary>How long the upstream asked to wait: OpenAI's <c>retry-after-ms</c>, else <c>Retry-After</c> in seconds or as a date.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
            _ => null,
        };
    }
}
