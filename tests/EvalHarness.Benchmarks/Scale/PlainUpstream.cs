using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Benchmarks.Scale;

/// <summary>
/// A plain local model for the scale run: Kestrel on 127.0.0.1 answering OpenAI chat completions at once,
/// in the real wire format, for the scenarios of <see cref="ScaleSuite"/>. Recording through it shows what
/// the harness itself costs when the model costs nothing.
/// </summary>
internal sealed partial class PlainUpstream : IAsyncDisposable
{
    private static long _requests;
    private readonly WebApplication _app;

    private PlainUpstream(WebApplication app, string url) => (_app, Url) = (app, url);

    /// <summary>The base URL to pass as <c>--upstream</c>.</summary>
    public string Url { get; }

    /// <summary>How long each answer waits before it is written, as a provider's would (0: at once).</summary>
    public static TimeSpan Latency { get; set; }

    /// <summary>Chat completions answered so far by every plain upstream of this process.</summary>
    public static long Requests => Interlocked.Read(ref _requests);

    public static async Task<PlainUpstream> StartAsync()
    {
        var (app, address) = await Loopback.StartAsync(app => app.MapPost("/v1/chat/completions", AnswerAsync));
        return new PlainUpstream(app, address.ToString().TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, context.RequestAborted);
        }

        using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var messages = request.RootElement.GetProperty("messages");
        var input = messages.EnumerateArray().First(m => m.GetProperty("role").GetString() == "user").GetProperty("content").GetString() ?? string.Empty;
        var toolResults = messages.EnumerateArray().Count(m => m.GetProperty("role").GetString() == "tool");

        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("id", $"chatcmpl-{context.TraceIdentifier}");
        json.WriteString("object", "chat.completion");
        json.WriteNumber("created", 1_795_000_000);
        json.WriteString("model", "gpt-4o-mini");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        string finish;
        if (Ticket().Match(input) is { Success: true } ticket)
        {
            var start = int.Parse(ticket.Groups[1].Value, CultureInfo.InvariantCulture);
            if (toolResults < ScaleSuite.ToolCalls)
            {
                json.WriteNull("content");
                json.WriteStartArray("tool_calls");
                json.WriteStartObject();
                json.WriteString("id", $"call_{toolResults + 1}");
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", "calculate");
                json.WriteString("arguments", $$"""{"expression":"{{start << toolResults}} * 2"}""");
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
                finish = "tool_calls";
            }
            else
            {
                json.WriteString("content", $"Doubled {ScaleSuite.ToolCalls} times, {start} becomes {start << ScaleSuite.ToolCalls}.");
                finish = "stop";
            }
        }
        else
        {
            json.WriteString("content", $"Your code word is {CodeWord().Match(input).Value}.");
            finish = "stop";
        }

        json.WriteEndObject();
        json.WriteString("finish_reason", finish);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", 60 + (40 * toolResults));
        json.WriteNumber("completion_tokens", 12);
        json.WriteNumber("total_tokens", 72 + (40 * toolResults));
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    [GeneratedRegex(@"Double (\d+),")]
    private static partial Regex Ticket();

    [GeneratedRegex(@"token-\d+")]
    private static partial Regex CodeWord();
}
