using System.ComponentModel;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OllamaSharp.Models.Exceptions;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// Ollama's native API through <c>evalh serve</c>, driven by OllamaSharp 5.5.2 (an <see cref="IChatClient"/>) with
/// <c>UseFunctionInvocation()</c>: recorded from the scripted upstream, replayed with it gone.
/// </summary>
public sealed class OllamaProtocolTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly IReadOnlyList<ScriptedTurn> Script =
    [
        new() { ToolCalls = [new ScriptedToolCall("get_weather", JsonDocument.Parse("""{"city":"Tokyo"}""").RootElement)] },
        new() { Text = "It is 11 degrees in Tokyo, so bring a light jacket." },
    ];

    [Description("Gets the weather in a city.")]
    private static string GetWeather([Description("The city")] string city) => $"11 degrees in {city}";

    /// <summary>What one run of the agent saw: each HTTP answer's bytes and the final text.</summary>
    private sealed record Run(IReadOnlyList<byte[]> Answers, string Text, long? OutputTokens);

    /// <summary>An agent on OllamaSharp as its docs show it, with the cassette's address (and its trailing slash) as the base.</summary>
    private static async Task<Run> AgentAsync(Uri cassette, bool streaming, string question = "What is the weather in Tokyo?")
    {
        var capture = new Capture();
        using var http = new HttpClient(capture) { BaseAddress = cassette };
        using var ollama = new OllamaApiClient(http, "llama3.2");
        using var client = new ChatClientBuilder(ollama).UseFunctionInvocation().Build();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")] };
        List<ChatMessage> messages = [new(ChatRole.System, "You answer weather questions."), new(ChatRole.User, question)];
        var response = streaming
            ? (await client.GetStreamingResponseAsync(messages, options, Ct).ToListAsync(Ct)).ToChatResponse()
            : await client.GetResponseAsync(messages, options, Ct);
        return new Run(capture.Answers, response.Text, response.Usage?.OutputTokenCount);
    }

    /// <summary>Records the agent's run through serve from the scripted upstream; returns the run and the cassette folder.</summary>
    private async Task<(Run Run, string Cassettes)> RecordAsync(string id, bool streaming)
    {
        var cassettes = _temp.Combine("cassettes");
        await using var upstream = await ScriptedUpstream.StartAsync(_ => Script, Ct);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate);
        var run = await AgentAsync(new Uri(serve.Address, $"c/{id}/"), streaming);
        Assert.Equal(["#1 recorded", "#2 recorded"], (await serve.LogLinesAsync(id, 2, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
        return (run, cassettes);
    }

    [Theory]
    [InlineData(false, "instant")]
    [InlineData(true, "instant")]
    [InlineData(true, "realistic")]
    public async Task Serve_OllamaSharpWithATool_RecordsThenReplaysTheSameBytes(bool streaming, string replay)
    {
        // Names an Ollama path holds as variant and scenario: the id ends where api/chat begins, from the end.
        var id = $"weather/api/{(streaming ? "stream" : "plain")}/t1";
        var (recorded, cassettes) = await RecordAsync(id, streaming);

        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--replay", replay);
        var replayed = await AgentAsync(new Uri(serve.Address, $"c/{id}/"), streaming);

        Assert.Equal("It is 11 degrees in Tokyo, so bring a light jacket.", recorded.Text);
        Assert.Equal(recorded.Text, replayed.Text);
        Assert.True(recorded.OutputTokens > 0);
        Assert.Equal(recorded.OutputTokens, replayed.OutputTokens);
        Assert.Equal(2, replayed.Answers.Count);
        Assert.Equal(recorded.Answers.Select(System.Text.Encoding.UTF8.GetString), replayed.Answers.Select(System.Text.Encoding.UTF8.GetString));
        Assert.Equal(["#1 hit", "#2 hit"], (await serve.LogLinesAsync(id, 2, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));

        var cassette = new CassetteStore(cassettes).Load(id)!;
        Assert.Equal(("ollama", "llama3.2"), (cassette.Provider, cassette.Metadata!.Model));
        Assert.Equal(["api/chat", "api/chat"], cassette.Interactions.Select(i => i.Request.Path));
        // OllamaSharp's made-up id in the tool result is recorded as a placeholder; the result is kept as sent.
        var toolResult = cassette.Interactions[1].Request.Body.GetProperty("messages")[3];
        Assert.Equal(("tool", """{"CallId":"(volatile)","Result":"11 degrees in Tokyo"}"""), (toolResult.GetProperty("role").GetString(), toolResult.GetProperty("content").GetString()));
        var answer = WireProtocols.Find("ollama")!.ReadAnswer(cassette.Interactions[0]);
        Assert.Equal(("get_weather", """{"city":"Tokyo"}"""), (Assert.Single(answer.ToolCalls).Name, answer.ToolCalls[0].Arguments));
        Assert.True(answer.InputTokens > 0 && answer.OutputTokens > 0);
        if (streaming)
        {
            // Each line of the stream with the moment it came, the last one done.
            var events = cassette.Interactions[1].Response.Events!;
            Assert.Equal("application/x-ndjson", cassette.Interactions[1].Response.Headers["content-type"]);
            Assert.True(events.Count > 2);
            Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.Second.OffsetMs > pair.First.OffsetMs));
            Assert.True(events[^1].Data.GetProperty("done").GetBoolean());
        }
        else
        {
            Assert.Null(cassette.Interactions[1].Response.Events);
            Assert.DoesNotContain((byte)'\n', replayed.Answers[1]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_OllamaSharpGenerate_RecordsThenReplaysTheSameBytes(bool streaming)
    {
        var id = $"poems/default/{(streaming ? "stream" : "plain")}/t1";
        IReadOnlyList<ScriptedTurn> script = [new() { Text = "Autumn moonlight, a worm digs silently into the chestnut." }];
        async Task<(string Text, IReadOnlyList<byte[]> Answers)> GenerateAsync(Uri cassette)
        {
            var capture = new Capture();
            using var http = new HttpClient(capture) { BaseAddress = cassette };
            using var ollama = new OllamaApiClient(http, "llama3.2");
            var pieces = await ollama.GenerateAsync(new OllamaSharp.Models.GenerateRequest { Prompt = "A haiku, please.", System = "You are a poet.", Stream = streaming }, Ct).ToListAsync(Ct);
            return (string.Concat(pieces.Select(p => p?.Response)), capture.Answers);
        }

        var cassettes = _temp.Combine("cassettes");
        (string Text, IReadOnlyList<byte[]> Answers) recorded;
        await using (var upstream = await ScriptedUpstream.StartAsync(_ => script, Ct))
        await using (var recorder = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate))
        {
            recorded = await GenerateAsync(new Uri(recorder.Address, $"c/{id}/"));
        }

        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        var replayed = await GenerateAsync(new Uri(serve.Address, $"c/{id}/"));

        Assert.Equal("Autumn moonlight, a worm digs silently into the chestnut.", recorded.Text);
        Assert.Equal(recorded.Text, replayed.Text);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(recorded.Answers.Single()), System.Text.Encoding.UTF8.GetString(replayed.Answers.Single()));
        var interaction = Assert.Single(new CassetteStore(cassettes).Load(id)!.Interactions);
        Assert.Equal(("api/generate", streaming), (interaction.Request.Path, interaction.Response.Events is not null));
        var answer = WireProtocols.ForRecordedPath(interaction.Request.Path).ReadAnswer(interaction);
        Assert.Equal((recorded.Text, true), (answer.Text, answer.OutputTokens > 0));
        Assert.Equal([("system", "You are a poet."), ("user", "A haiku, please.")], WireProtocols.Find("ollama")!.ReadRequest(interaction.Request.Body).Messages.Select(m => (m.Role, m.Text)));
    }

    [Fact]
    public async Task Serve_AChangedPrompt_IsAnErrorOllamaSharpShows_NamingTheJsonPath()
    {
        const string id = "weather/default/changed/t1";
        var (_, cassettes) = await RecordAsync(id, streaming: false);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);

        var error = await Assert.ThrowsAsync<OllamaException>(() => AgentAsync(new Uri(serve.Address, $"c/{id}/"), streaming: false, question: "What is the weather in Osaka?"));

        Assert.Contains("interaction #1: the request differs from the recording at $.messages[1].content", error.Message, StringComparison.Ordinal);
        Assert.Contains("recorded \"What is the weather in Tokyo?\", got \"What is the weather in Osaka?\"", error.Message, StringComparison.Ordinal);
        Assert.Contains($" {id} #1 miss 400 ", Assert.Single(await serve.LogLinesAsync(id, 1, Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AStreamRefusedForALiveKey_EndsWithAnOllamaErrorLine()
    {
        const string id = "echo/default/key/t1";
        const string key = "3f9a0c1e5b7d4a2f8e6c0b1d9a7f5e3c";
        // An Ollama behind a proxy that wants a bearer key (OLLAMA_API_KEY, as the Python client sends it), and echoes it.
        var (app, upstream) = await LoopbackHostAccess.StartAsync(
            a => a.MapPost("/api/chat", async (HttpContext c) =>
            {
                c.Response.ContentType = "application/x-ndjson";
                await c.Response.WriteAsync(
                    $$"""{"model":"m","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"key {{c.Request.Headers.Authorization}}"},"done":false}""" + "\n", Ct);
            }),
            Ct);
        await using var _ = app;
        var cassettes = _temp.Combine("cassettes");
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.ToString());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(serve.Address, $"c/{id}/api/chat"))
        {
            Content = new StringContent("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", key);

        using var response = await http.SendAsync(request, Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal(JsonValueKind.String, last.RootElement.GetProperty("error").ValueKind);
        Assert.Contains("contains the live API key", last.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(cassettes) && Directory.EnumerateFiles(cassettes, "*.json", SearchOption.AllDirectories).Any());
    }

    [Theory]
    [InlineData("suite/api/x/t1/api/chat", "suite/api/x/t1", "api/chat")]
    [InlineData("suite/v1/x/t1/api/generate", "suite/v1/x/t1", "api/generate")]
    public void TryRoute_OllamaPaths_FromTheEnd(string rest, string id, string path)
    {
        Assert.True(WireProtocols.TryRoute(rest, _ => false, out var cassetteId, out var providerPath, out var protocol));
        Assert.Equal((id, path, "ollama"), (cassetteId, providerPath, protocol.Name));
        Assert.Equal("ollama", WireProtocols.ForRecordedPath(path).Name);
    }

    [Fact]
    public void ReadRequest_ToolResults_AnswerTheCallsBeforeThemByName()
    {
        using var body = JsonDocument.Parse("""
            {"model":"llama3.2","messages":[
              {"role":"user","content":"Weather in Tokyo and Osaka?"},
              {"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Tokyo"}}},{"function":{"name":"get_time","arguments":{"city":"Osaka"}}}]},
              {"role":"tool","content":"{\"CallId\":\"(volatile)\",\"Result\":\"11 degrees\"}"},
              {"role":"tool","content":"noon","tool_name":"get_time"}]}
            """);

        var request = WireProtocols.Find("ollama")!.ReadRequest(body.RootElement);

        Assert.Equal([("get_weather", "11 degrees"), ("get_time", "noon")], request.ToolResults.Select(r => (r.CallId, r.Text)));
        Assert.Equal("→ get_weather({\"city\":\"Tokyo\"})", request.Messages[1].Text.Split(Environment.NewLine)[0]);
    }

    [Theory]
    [InlineData("$.messages[2].content", "the result of tool 'get_weather'")]
    [InlineData("$.messages[3].content", "the result of tool 'get_time'")]
    public void AChangedToolResult_IsNamedByItsTool(string path, string words)
    {
        // As OllamaSharp sends them: no call ids, no tool_name; the n-th tool message answers the n-th call.
        using var body = JsonDocument.Parse("""
            {"model":"llama3.2","messages":[
              {"role":"user","content":"Weather and time in Tokyo?"},
              {"role":"assistant","content":"","tool_calls":[{"function":{"index":null,"name":"get_weather","arguments":{"city":"Tokyo"}},"id":null},{"function":{"index":null,"name":"get_time","arguments":{"city":"Tokyo"}},"id":null}]},
              {"role":"tool","content":"{\"CallId\":\"(volatile)\",\"Result\":\"11 degrees\"}"},
              {"role":"tool","content":"{\"CallId\":\"(volatile)\",\"Result\":\"noon\"}"}]}
            """);

        var part = EvalHarness.Cassettes.Matching.RequestPart.Describe(body.RootElement, path, WireProtocols.Find("ollama")!);

        Assert.Equal((words, true), (part?.Words, part?.IsToolResult));
    }

    [Theory]
    [InlineData(404, false)] // model "x" not found, try pulling it first
    [InlineData(429, true)]
    [InlineData(503, true)] // the server is busy
    [InlineData(null, true)] // the connection dropped
    public void IsTransient_OllamaSharpsErrors_ByTheirStatus(int? status, bool transient) =>
        Assert.Equal(transient, EvalHarness.Agents.Resilience.TransientFailure.IsTransient(
            new HttpRequestException("Response status code does not indicate success.", null, (System.Net.HttpStatusCode?)status)));

    [Fact]
    public void IsTransient_OllamaSharpsBadRequest_IsNot() =>
        Assert.False(EvalHarness.Agents.Resilience.TransientFailure.IsTransient(new OllamaException("cassette 'x': the request differs")));

    /// <summary>Keeps each answer's bytes (read whole, then handed on as they were).</summary>
    private sealed class Capture() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<byte[]> Answers { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            Answers.Add(bytes);
            var content = new ByteArrayContent(bytes);
            foreach (var header in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = content;
            return response;
        }
    }
}
