using System.Text.Json;
using EvalHarness.Cassettes.Matching;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>The last step: a request the server cannot answer gets the OpenAI error shape, which both SDKs surface in their exceptions.</summary>
internal static class ErrorAnswer
{
    /// <summary>The header the official SDKs honour before their own retry rules.</summary>
    public const string ShouldRetryHeader = "x-should-retry";

    /// <summary>Records a miss for the cassette and answers it.</summary>
    public static async Task MissAsync(HttpContext context, CassetteState state, int index, int status, string message, JsonDifference? difference = null)
    {
        state.Misses.Add(new CassetteMiss(state.Id, index, message, difference));
        await WriteAsync(context, status, message);
    }

    /// <summary>The error type of a miss: the request reached a cassette, which has no answer for it.</summary>
    public const string MissType = "cassette_miss";

    /// <summary>The error type of a request refused before any cassette was consulted (its URL, size or pace).</summary>
    public const string RejectedType = "cassette_request_rejected";

    /// <summary>Answers <c>{"error":{"type":"cassette_miss","message":…}}</c> (or another <paramref name="type"/>) with <paramref name="status"/>.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string message, string type = MissType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        // The official OpenAI and Anthropic SDKs read this before their status rules (which retry 408, 409, 429 and
        // 5xx): asking again gets the same answer, and a retry would hide this message behind "request #3".
        context.Response.Headers[ShouldRetryHeader] = "false";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", type);
            writer.WriteString("code", type);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }
}
