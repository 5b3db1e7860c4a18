using System.Globalization;
using System.Net.ServerSentEvents;
using EvalHarness.Cassettes.Format;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>Writes a recorded answer to the client: at once, with its recorded timing, or as the fault it was.</summary>
internal sealed class ReplayWriter(CassetteServerOptions options)
{
    /// <summary>Answers with interaction #<paramref name="index"/> of the cassette.</summary>
    public async Task ReplayAsync(HttpContext context, CassetteState state, Interaction found, int index)
    {
        var bytes = state.ResponseBytes(index, found.Response);
        if (found.Response.Fault is not null)
        {
            await ReplayFaultAsync(context, found, bytes);
            return;
        }

        context.Response.Headers[CassetteServer.LatencyHeader] = found.Timings.TotalMs.ToString(CultureInfo.InvariantCulture);
        if (options.Timing == ReplayTiming.Realistic)
        {
            await WriteRealisticAsync(context, found, bytes);
            return;
        }

        await WriteRecordedAsync(context, found.Response, bytes);
    }

    /// <summary>Writes a recorded response at once: status, kept headers and body.</summary>
    public static async Task WriteRecordedAsync(HttpContext context, RecordedResponse response, byte[] bytes)
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
        var time = options.Time;
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

        // Framed as it was recorded: server-sent events, or lines of JSON (Ollama's).
        var mediaType = StreamFraming.MediaTypeOf(interaction.Response);
        context.Response.StatusCode = interaction.Response.Status;
        context.Response.ContentType = mediaType;
        await WaitUntil(interaction.Timings.FirstByteMs);
        await context.Response.StartAsync(context.RequestAborted);
        await StreamFraming.WriteAsync(mediaType, OnTime(events), context.Response.Body, context.RequestAborted);

        // Each event when the recording had it: Kestrel sends every write as it is made.
        async IAsyncEnumerable<SseItem<string>> OnTime(IReadOnlyList<SseEvent> recorded)
        {
            foreach (var e in recorded)
            {
                await WaitUntil(e.OffsetMs);
                yield return SseWire.Item(e);
            }
        }
    }

    /// <summary>Reproduces a recorded fault: after the recorded time when realistic, the connection drops (a cut stream first sends its events).</summary>
    private async Task ReplayFaultAsync(HttpContext context, Interaction interaction, byte[] bytes)
    {
        if (interaction.Response.Events is not null)
        {
            if (options.Timing == ReplayTiming.Realistic)
            {
                await WriteRealisticAsync(context, interaction, bytes);
            }
            else
            {
                context.Response.StatusCode = interaction.Response.Status;
                context.Response.ContentType = StreamFraming.MediaTypeOf(interaction.Response);
                await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            // A reset discards what is still in the socket's buffer: let the recorded events arrive before the cut.
            await Task.Delay(50, context.RequestAborted);
        }
        else if (options.Timing == ReplayTiming.Realistic)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(interaction.Timings.TotalMs), options.Time, context.RequestAborted);
        }

        context.Abort();
    }
}
