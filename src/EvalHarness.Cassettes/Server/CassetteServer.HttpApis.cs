using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using EvalHarness.Cassettes.Tools;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>A case's HTTP APIs: each request recorded from the real API, or answered from the cassette.</summary>
public sealed partial class CassetteServer
{
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
}
