using System.ClientModel;
using System.Text.Json;
using EvalHarness.Agents.Providers;
using EvalHarness.Agents.Resilience;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Agents;

/// <summary>The harness's own Gemini client: the request it sends, and the errors and usage it gives back.</summary>
public sealed class GeminiChatClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetResponse_SendsGeminisRequest_WithTheKeyInItsHeader_AndReadsCallsAndUsage()
    {
        string? path = null, key = null, body = null;
        var (app, address) = await LoopbackHostAccess.StartAsync(a => a.MapPost("/{**rest}", async (HttpContext c) =>
        {
            (path, key) = (c.Request.Path + c.Request.QueryString, c.Request.Headers["x-goog-api-key"].ToString());
            body = await new StreamReader(c.Request.Body).ReadToEndAsync(Ct);
            c.Response.ContentType = "application/json; charset=UTF-8";
            await c.Response.WriteAsync("""
                {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"c2ln"}],"role":"model"},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":57,"candidatesTokenCount":32,"thoughtsTokenCount":141,"cachedContentTokenCount":7,"totalTokenCount":230},
                 "modelVersion":"gemini-2.5-flash","responseId":"r1"}
                """, Ct);
        }), Ct);
        await using var _ = app;
        using var client = new GeminiChatClient(new Uri(address, "c/x/"), "AIza-test-key", "models/gemini-2.5-flash");
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = 256,
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
            Tools = [AIFunctionFactory.Create((string city) => city, "get_weather", "The weather in a city")],
        };

        var response = await client.GetResponseAsync([new(ChatRole.System, "You are terse."), new(ChatRole.User, "Weather in Paris?")], options, Ct);

        Assert.Equal("/c/x/v1beta/models/gemini-2.5-flash:generateContent", path);
        Assert.Equal("AIza-test-key", key);
        using var sent = JsonDocument.Parse(body!);
        Assert.Equal(
            """{"contents":[{"parts":[{"text":"Weather in Paris?"}],"role":"user"}],"systemInstruction":{"parts":[{"text":"You are terse."}]},"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}},"generationConfig":{"temperature":0,"maxOutputTokens":256}}""",
            JsonSerializer.Serialize(new Dictionary<string, JsonElement>(sent.RootElement.EnumerateObject().Where(p => p.Name != "tools").Select(p => KeyValuePair.Create(p.Name, p.Value)))));
        Assert.Equal("get_weather", sent.RootElement.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString());
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages.Single().Contents));
        Assert.Equal(("get_weather", "Paris", "c2ln"), (call.Name, ((JsonElement)call.Arguments!["city"]!).GetString(), call.AdditionalProperties?["thoughtSignature"]));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal((57L, 173L, 230L, 141L, 7L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.TotalTokenCount, response.Usage.ReasoningTokenCount, response.Usage.CachedInputTokenCount));
    }

    [Fact]
    public async Task GetResponse_ErrorAnswer_IsAClientResultException_ThatTheRuntimeRetriesOnlyWhenTransient()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(_ =>
            [new ScriptedTurn { ErrorStatus = 429, ErrorMessage = "Resource has been exhausted." }, new ScriptedTurn { Text = "Hello." }], Ct);
        using var client = new GeminiChatClient(new Uri(upstream.BaseAddress, "c/s/default/x/t1/"), "key", "gemini-2.0-flash");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync([new(ChatRole.User, "Hi")], cancellationToken: Ct));
        var answer = await client.GetResponseAsync([new(ChatRole.User, "Hi")], cancellationToken: Ct);

        Assert.Equal(429, error.Status);
        Assert.Contains("\"status\":\"RESOURCE_EXHAUSTED\"", error.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        Assert.True(TransientFailure.IsTransient(error));
        Assert.Equal("Hello.", answer.Text);
    }
}
