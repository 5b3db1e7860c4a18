using System.Globalization;
using System.Net.ServerSentEvents;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Server;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Scripted;

/// <summary>What every protocol's scripted answers share: stable ids, token estimates, text in pieces, and writing.</summary>
internal static class ScriptedWire
{
    /// <summary>The <c>created</c> timestamp of every scripted answer, so recordings are stable.</summary>
    public const long CreatedAt = 1767225600; // 2026-01-01T00:00:00Z

    /// <summary>24 hex characters of a hash of <paramref name="id"/> and <paramref name="n"/>.</summary>
    public static string Hash(string id, int n) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{id}#{n}")))[..24];

    /// <summary>About four characters a token, as the providers' own rule of thumb.</summary>
    public static int EstimateTokens(string text) => (text.Length + 3) / 4;

    /// <summary>Text in pieces of about three words, as a model streams it.</summary>
    public static IEnumerable<string> Pieces(string text)
    {
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i += 3)
        {
            var piece = string.Join(' ', words.Skip(i).Take(3));
            yield return i + 3 < words.Length ? piece + " " : piece;
        }
    }

    /// <summary>The bytes <paramref name="write"/> writes.</summary>
    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>An answer's body with its status, and the latency the recorder records for it.</summary>
    public static async Task WriteAsync(HttpContext context, int status, byte[] body, double? latencyMs = null)
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

    /// <summary>A stream's events, as server-sent events or as lines of JSON (<see cref="StreamFraming"/>).</summary>
    public static async Task WriteStreamAsync(HttpContext context, string mediaType, List<(string? Event, string Data)> events, double latencyMs)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = mediaType;
        context.Response.Headers[CassetteServer.SimulatedLatencyHeader] = latencyMs.ToString(CultureInfo.InvariantCulture);
        await StreamFraming.WriteAsync(mediaType, events.Select(e => new SseItem<string>(e.Data, e.Event)).ToAsyncEnumerable(), context.Response.Body, context.RequestAborted);
    }

    /// <summary>A mistake in the script (or a request it cannot serve): the OpenAI error shape, marked so the recorder reports it.</summary>
    public static Task ScriptErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.Headers[ScriptedUpstream.ScriptErrorHeader] = "script";
        return WriteAsync(context, status, OpenAIStyleError(message, "invalid_request_error"));
    }

    /// <summary><c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static byte[] OpenAIStyleError(string message, string type) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", message);
        w.WriteString("type", type);
        w.WriteNull("param");
        w.WriteString("code", type);
        w.WriteEndObject();
        w.WriteEndObject();
    });
}
