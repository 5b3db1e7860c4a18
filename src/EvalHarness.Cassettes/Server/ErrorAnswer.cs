using System.Text.Json;
using EvalHarness.Cassettes.Matching;
using EvalHarness.Cassettes.Protocols;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>The last step: a request the server cannot answer gets an error in its protocol's shape, which its SDK surfaces in its exceptions.</summary>
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

    /// <summary>Where the route's protocol is kept for the request, so an error is answered in its shape.</summary>
    private const string ProtocolItem = "evalh.protocol";

    /// <summary>Makes the errors of this request take <paramref name="protocol"/>'s shape.</summary>
    public static void UseProtocol(HttpContext context, WireProtocol protocol) => context.Items[ProtocolItem] = protocol;

    /// <summary>
    /// Answers <c>{"error":{"type":"cassette_miss","message":…}}</c> (or another <paramref name="type"/>) with
    /// <paramref name="status"/>, in the shape of the request's protocol when it is known.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int status, string message, string type = MissType)
    {
        var protocol = context.Items.TryGetValue(ProtocolItem, out var known) && known is WireProtocol p ? p : WireProtocols.OpenAICompatible;
        context.Response.StatusCode = protocol.HarnessErrorStatus(status);
        context.Response.ContentType = "application/json";
        // The official OpenAI and Anthropic SDKs read this before their status rules (which retry 408, 409, 429 and
        // 5xx): asking again gets the same answer, and a retry would hide this message behind "request #3".
        context.Response.Headers[ShouldRetryHeader] = "false";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            protocol.WriteHarnessError(writer, status, type, message);
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
    }
}
