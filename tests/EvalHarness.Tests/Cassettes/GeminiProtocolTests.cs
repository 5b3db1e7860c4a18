using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols;

namespace EvalHarness.Tests.Cassettes;

/// <summary>Gemini's native API behind the wire-protocol seam: its routes, and what a recorded call sent and answered.</summary>
public sealed class GeminiProtocolTests
{
    private static WireProtocol Gemini => WireProtocols.Find("gemini")!;

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static Interaction Call(string path, string request, RecordedResponse response) =>
        new(new RecordedRequest("POST", path, new Dictionary<string, string>(), Json(request)), response, new InteractionTimings(1, 2));

    [Theory]
    [InlineData("s/default/x/t1/v1beta/models/gemini-2.0-flash:generateContent", "s/default/x/t1", "v1beta/models/gemini-2.0-flash:generateContent")]
    [InlineData("s/v1beta/models/t1/v1beta/models/gemini-2.5-flash:streamGenerateContent", "s/v1beta/models/t1", "v1beta/models/gemini-2.5-flash:streamGenerateContent")]
    // @google/genai 3.x calls v1, which OpenAI's v1/models/* must not take.
    [InlineData("s/v1/x/t1/v1/models/gemini-2.0-flash:generateContent", "s/v1/x/t1", "v1/models/gemini-2.0-flash:generateContent")]
    public void TryRoute_GeminiPaths_AreGemini(string rest, string id, string path)
    {
        Assert.True(WireProtocols.TryRoute(rest, _ => false, out var cassetteId, out var providerPath, out var found));
        Assert.Equal((id, path, "gemini"), (cassetteId, providerPath, found.Name));
    }

    [Theory]
    [InlineData("v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", "gemini")]
    [InlineData("v1/models/gemini-2.0-flash:generateContent", "gemini")]
    [InlineData("v1/models/gpt-4o-mini", "openai")]
    public void ForRecordedPath_GeminiPathsAreGeminis_AndOpenAIsModelsStayOpenAIs(string path, string protocol) =>
        Assert.Equal(protocol, WireProtocols.ForRecordedPath(path).Name);

    [Fact]
    public void ReadRequest_CallsWithoutIds_AreAnsweredByName_AndTheSystemInstructionIsTheSystemPrompt()
    {
        var request = Gemini.ReadRequest(Json("""
            {"contents":[{"parts":[{"text":"Weather in Paris?"}],"role":"user"},
              {"parts":[{"functionCall":{"args":{"city":"Paris"},"name":"get_weather"}}],"role":"model"},
              {"parts":[{"functionResponse":{"name":"get_weather","response":{"result":{"tempC":21}}}}],"role":"user"},
              {"parts":[{"functionResponse":{"id":"c2","name":"get_time","response":{"error":"no clock"}}}],"role":"user"}],
             "systemInstruction":{"parts":[{"text":"You are terse."}],"role":"user"}}
            """));

        Assert.Equal(
            [("system", "You are terse."), ("user", "Weather in Paris?"), ("assistant", """→ get_weather({"city":"Paris"})"""), ("tool", """← {"tempC":21}"""), ("tool", "← no clock")],
            request.Messages.Select(m => (m.Role, m.Text)));
        Assert.Equal([new ModelToolResult("get_weather", """{"tempC":21}""", null), new ModelToolResult("c2", "no clock", true)], request.ToolResults);
    }

    [Fact]
    public void ReadAnswer_PlainAndStreamed_GiveTextCallsAndUsage_WithThinkingAsOutput()
    {
        var plain = Call("v1beta/models/gemini-2.5-flash:generateContent", """{"contents":[]}""", new RecordedResponse(200, new Dictionary<string, string>(), Json("""
            {"candidates":[{"content":{"parts":[{"text":"Let me look.","thoughtSignature":"c2ln"},{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":57,"candidatesTokenCount":32,"thoughtsTokenCount":141,"totalTokenCount":230},"modelVersion":"gemini-2.5-flash"}
            """)));
        var streamed = Call("v1/models/gemini-2.0-flash:streamGenerateContent?alt=sse", """{"contents":[]}""", new RecordedResponse(200, new Dictionary<string, string> { ["content-type"] = "text/event-stream" }, Events:
        [
            new SseEvent(1, Json("""{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}}""")),
            new SseEvent(2, Json("""{"candidates":[{"content":{"parts":[{"text":", world!"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2}}""")),
            new SseEvent(3, Json("""{"candidates":[{"content":{"parts":[{"functionCall":{"id":"c1","name":"wave","args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}}""")),
        ]));

        var first = Gemini.ReadAnswer(plain);
        var second = Gemini.ReadAnswer(streamed);

        Assert.Equal(("gemini-2.5-flash", "Let me look.", 57L, 173L), (first.Model, first.Text, first.InputTokens, first.OutputTokens));
        Assert.Equal(new ModelToolCall("get_weather", "get_weather", """{"city":"Paris"}"""), Assert.Single(first.ToolCalls));
        Assert.Equal(("gemini-2.0-flash", "Hello, world!", 3L, 4L), (second.Model, second.Text, second.InputTokens, second.OutputTokens));
        Assert.Equal(new ModelToolCall("c1", "wave", "{}"), Assert.Single(second.ToolCalls));
    }
}
