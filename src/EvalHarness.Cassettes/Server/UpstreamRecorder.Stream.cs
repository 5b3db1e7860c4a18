using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

internal sealed partial class UpstreamRecorder
{
    /// <summary>Proxies a server-sent event stream to the client as it arrives, recording each event with its offset.</summary>
    private async Task RecordStreamAsync(
        HttpContext context, CassetteState state, int index, string providerPath, JsonElement body, HttpResponseMessage response, Stopwatch clock, List<string> secrets)
    {
        var firstByteMs = clock.Elapsed.TotalMilliseconds;
        PassBackHeaders(context, response);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = "text/event-stream";
        if (response.Headers.TryGetValues(CassetteServer.SimulatedLatencyHeader, out var announced))
        {
            context.Response.Headers[CassetteServer.LatencyHeader] = announced.First();
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
        if (SimulatedLatency(response) is { } simulatedMs)
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
            [.. events.Select(e => new SseEvent(Math.Round(e.OffsetMs, 1), SecretScanner.Scrub(WireJson.Parse(Encoding.UTF8.GetBytes(e.Data)), options.Scrubbers), e.Event))],
            Fault: truncated ? "truncated" : null);
        if (writer.Append(state, context.Request, providerPath, body, recorded, firstByteMs, totalMs, secrets) is { } refused)
        {
            // The client already has the stream; the cassette must still not be written, and the client is told so
            // by an error event, which the official SDKs raise as an API error (rather than a finished answer).
            state.Misses.Add(new CassetteMiss(state.Id, index, refused));
            await WriteErrorEventAsync(context, refused);
            return;
        }

        if (truncated)
        {
            context.Abort();
        }

        state.Served.Add(state.Recording[^1]);
    }

    /// <summary>An SSE <c>error</c> event in the shape both providers use (<c>{"type":"error","error":{…}}</c>).</summary>
    private static async Task WriteErrorEventAsync(HttpContext context, string message)
    {
        var payload = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "error",
            ["error"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "evalh_cassette_not_written", ["message"] = message },
        }.ToJsonString();
        await context.Response.WriteAsync($"event: error\ndata: {payload}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
