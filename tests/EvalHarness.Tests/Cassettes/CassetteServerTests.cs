using System.ClientModel;
using System.Net;
using System.Text.Json;
using EvalHarness.Agents.Providers;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Cassettes;

/// <summary>The record/replay server on real Kestrel, driven by the real OpenAI SDK client.</summary>
public sealed class CassetteServerTests : IDisposable
{
    private const string LiveKey = "sk-test-0123456789abcdefSECRET";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly IReadOnlyList<ScriptedTurn> LookupThenAnswer =
    [
        new() { ToolCalls = [new ScriptedToolCall("lookup_order", JsonDocument.Parse("""{"order_id":"A1"}""").RootElement)] },
        new() { Text = "Order A1 has shipped." },
    ];

    private static readonly AIFunction Lookup = AIFunctionFactory.Create((string order_id) => "shipped", "lookup_order", "Looks up an order.");

    private static ChatOptions Tools => new() { Tools = [Lookup] };

    private Task<CassetteServer> StartAsync(RecordMode mode, string? upstream = null) =>
        CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path, Mode = mode, Upstream = upstream, RecordedFrom = "scripted" }, Ct);

    private static OpenAIChatClient Client(CassetteServer server, string id, string key = LiveKey) =>
        new(new Uri(server.BaseAddressFor(id), "v1"), key, "gpt-4o-mini");

    private static List<ChatMessage> FirstTurn() => [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Where is A1?")];

    private async Task<(ChatResponse First, ChatResponse Second)> ConverseAsync(CassetteServer server, string id)
    {
        using var client = Client(server, id);
        var messages = FirstTurn();
        var first = await client.GetResponseAsync(messages, Tools, Ct);
        messages.AddRange(first.Messages);
        var call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "shipped")]));
        var second = await client.GetResponseAsync(messages, Tools, Ct);
        return (first, second);
    }

    private async Task RecordAsync(string id)
    {
        await using var upstream = await ScriptedUpstream.StartAsync(key => key == id ? LookupThenAnswer : null, Ct);
        await using var recorder = await StartAsync(RecordMode.All, upstream.UpstreamTemplate);
        await ConverseAsync(recorder, id);
        Assert.Empty((await recorder.TakeActivityAsync(id, Ct)).Misses);
    }

    [Fact]
    public async Task RecordThenReplay_OpenAISdk_GetsIdenticalToolCallsTextAndUsage()
    {
        const string id = "suite/v/case/t1";
        ChatResponse recordedFirst, recordedSecond;
        await using (var upstream = await ScriptedUpstream.StartAsync(key => key == id ? LookupThenAnswer : null, Ct))
        await using (var recorder = await StartAsync(RecordMode.All, upstream.UpstreamTemplate))
        {
            (recordedFirst, recordedSecond) = await ConverseAsync(recorder, id);
        }

        await using var replayer = await StartAsync(RecordMode.None);
        var (first, second) = await ConverseAsync(replayer, id);
        var activity = await replayer.TakeActivityAsync(id, Ct);

        var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        var recordedCall = recordedFirst.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal((recordedCall.CallId, "lookup_order"), (call.CallId, call.Name));
        Assert.Equal("A1", call.Arguments!["order_id"]!.ToString());
        Assert.Equal("Order A1 has shipped.", second.Text);
        Assert.Equal(recordedSecond.Text, second.Text);
        Assert.Equal(recordedFirst.Usage!.InputTokenCount, first.Usage!.InputTokenCount);
        Assert.Equal(recordedSecond.Usage!.OutputTokenCount, second.Usage!.OutputTokenCount);
        Assert.Empty(activity.Misses);
        Assert.Equal(2, activity.Served.Count);
        Assert.All(activity.Served, t => Assert.True(t.TotalMs >= 250, "replay reports the latency the scripted upstream simulated"));
    }

    [Fact]
    public async Task Record_WritesReadableCassetteWithoutTheKeyOrAuthHeaders()
    {
        await RecordAsync("suite/v/secret/t1");

        var path = new CassetteStore(_temp.Path).PathFor("suite/v/secret/t1");
        var text = await File.ReadAllTextAsync(path, Ct);
        var cassette = CassetteStore.Read(path);

        Assert.DoesNotContain(LiveKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("authorization", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("user-agent", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(("openai", "scripted", 2), (cassette.Provider, cassette.RecordedFrom, cassette.Interactions.Count));
        Assert.Equal(JsonValueKind.Object, cassette.Interactions[0].Request.Body.ValueKind);
        Assert.Equal("Where is A1?", cassette.Interactions[0].Request.Body.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.Equal("v1/chat/completions", cassette.Interactions[0].Request.Path);
    }

    [Fact]
    public async Task Replay_NoCassette_AnswersAnErrorNamingTheCassetteAndPath()
    {
        await using var server = await StartAsync(RecordMode.None);
        using var client = Client(server, "suite/v/absent/t1");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(FirstTurn(), Tools, Ct));
        var miss = Assert.Single((await server.TakeActivityAsync("suite/v/absent/t1", Ct)).Misses);

        Assert.Equal((int)HttpStatusCode.NotFound, error.Status);
        Assert.Contains("cassette 'suite/v/absent/t1' not found", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_temp.Path, "suite", "v", "absent.t1.json"), miss.Message, StringComparison.Ordinal);
        Assert.Equal(0, miss.InteractionIndex);
    }

    [Fact]
    public async Task Replay_RequestChanged_NamesTheInteractionAndTheJsonPathThatDiffers()
    {
        const string id = "suite/v/changed/t1";
        await RecordAsync(id);
        await using var server = await StartAsync(RecordMode.None);
        using var client = Client(server, id);

        List<ChatMessage> changed = [new(ChatRole.System, "Be very brief."), new(ChatRole.User, "Where is A1?")];
        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(changed, Tools, Ct));
        var miss = Assert.Single((await server.TakeActivityAsync(id, Ct)).Misses);

        Assert.Equal(422, error.Status);
        Assert.Equal("$.messages[0].content", miss.Difference!.Path);
        Assert.Equal(("\"Be brief.\"", "\"Be very brief.\""), (miss.Difference.Expected, miss.Difference.Actual));
        Assert.Contains("interaction #1", miss.Message, StringComparison.Ordinal);
        Assert.Contains(id, miss.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_MoreRequestsThanRecorded_IsAMiss()
    {
        const string id = "suite/v/short/t1";
        await RecordAsync(id);
        await using var server = await StartAsync(RecordMode.None);
        await ConverseAsync(server, id);
        using var client = Client(server, id);

        await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(FirstTurn(), Tools, Ct));

        var miss = Assert.Single((await server.TakeActivityAsync(id, Ct)).Misses);
        Assert.Equal(2, miss.InteractionIndex);
        Assert.Contains("has 2 interaction(s), but the agent made request #3", miss.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_UpstreamUnreachable_ReportsItAndWritesNothing()
    {
        const string id = "suite/v/down/t1";
        await using var server = await StartAsync(RecordMode.All, "http://127.0.0.1:9/");
        using var client = Client(server, id);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(FirstTurn(), Tools, Ct));

        Assert.Equal(502, error.Status);
        Assert.Contains("could not be reached", Assert.Single((await server.TakeActivityAsync(id, Ct)).Misses).Message, StringComparison.Ordinal);
        Assert.False(new CassetteStore(_temp.Path).Exists(id));
    }

    [Theory]
    [InlineData("c/has%20space/v1/chat/completions")]
    [InlineData("c/no-provider-path")]
    public async Task Request_NotACassetteUrl_IsRejected(string path)
    {
        await using var server = await StartAsync(RecordMode.None);
        using var http = new HttpClient();

        var response = await http.PostAsync(new Uri(server.BaseAddress + path), new StringContent("{}"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a cassette URL", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_RecordWithoutUpstream_FailsBeforeServing()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(RecordMode.All));
        Assert.Contains("needs an upstream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordThenReplay_Streaming_GivesTheSameTextToolCallsAndUsage()
    {
        const string id = "suite/v/stream/t1";
        IReadOnlyList<ScriptedTurn> script =
        [
            new() { ToolCalls = [new ScriptedToolCall("lookup_order", JsonDocument.Parse("""{"order_id":"A1"}""").RootElement), new ScriptedToolCall("lookup_order", JsonDocument.Parse("""{"order_id":"B2"}""").RootElement)] },
            new() { Text = "Order A1 has shipped and B2 is on its way too." },
        ];

        async Task<(List<ChatResponseUpdate> First, List<ChatResponseUpdate> Second)> StreamAsync(CassetteServer server)
        {
            using var client = Client(server, id);
            var messages = FirstTurn();
            var first = await client.GetStreamingResponseAsync(messages, Tools, Ct).ToListAsync(Ct);
            messages.AddRange(first.ToChatResponse().Messages);
            foreach (var call in first.SelectMany(u => u.Contents).OfType<FunctionCallContent>())
            {
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "shipped")]));
            }

            return (first, await client.GetStreamingResponseAsync(messages, Tools, Ct).ToListAsync(Ct));
        }

        (List<ChatResponseUpdate> First, List<ChatResponseUpdate> Second) recorded;
        await using (var upstream = await ScriptedUpstream.StartAsync(key => key == id ? script : null, Ct))
        await using (var recorder = await StartAsync(RecordMode.All, upstream.UpstreamTemplate))
        {
            recorded = await StreamAsync(recorder);
        }

        await using var replayer = await StartAsync(RecordMode.None);
        var replayed = await StreamAsync(replayer);
        var cassette = new CassetteStore(_temp.Path).Load(id)!;

        var calls = replayed.First.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["A1", "B2"], calls.Select(c => c.Arguments!["order_id"]!.ToString()));
        Assert.Equal(recorded.First.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Select(c => c.CallId), calls.Select(c => c.CallId));
        Assert.True(replayed.Second.Count(u => u.Text.Length > 0) > 1, "the answer arrives in several pieces");
        Assert.Equal("Order A1 has shipped and B2 is on its way too.", replayed.Second.ToChatResponse().Text);
        Assert.Equal(recorded.Second.ToChatResponse().Usage!.OutputTokenCount, replayed.Second.ToChatResponse().Usage!.OutputTokenCount);
        Assert.True(replayed.Second.ToChatResponse().Usage!.InputTokenCount > 0);
        var events = cassette.Interactions[1].Response.Events!;
        Assert.Equal("[DONE]", events[^1].Data.GetString());
        Assert.Equal(JsonValueKind.Object, events[0].Data.ValueKind);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.OffsetMs <= p.Second.OffsetMs), "event offsets only grow");
        Assert.Null(cassette.Interactions[1].Response.Body);
    }

    [Fact]
    public async Task RecordThenReplay_RateLimitedOnce_TheAgentRetriesTheSameWayBothTimes()
    {
        const string id = "suite/v/limited/t1";
        IReadOnlyList<ScriptedTurn> script =
        [
            new() { ErrorStatus = 429, ErrorMessage = "Rate limit reached", RetryAfterSeconds = 2 },
            new() { Text = "Here you are." },
        ];
        var reportedDelays = new List<TimeSpan>();

        async Task<EvalHarness.Agents.Runtime.AgentRun> RunAsync(CassetteServer server)
        {
            using var client = Client(server, id);
            var options = new EvalHarness.Agents.Runtime.AgentOptions("gpt-4o-mini", "Be brief.", [], new EvalHarness.Agents.Runtime.AgentLimits(maxSteps: 2))
            {
                Resilience = new EvalHarness.Agents.Resilience.ResilienceOptions(maxRetries: 2) { SkipDelays = true },
            };
            return await new EvalHarness.Agents.Runtime.Agent(client, options).RunAsync("Hello", Ct);
        }

        EvalHarness.Agents.Runtime.AgentRun live;
        await using (var upstream = await ScriptedUpstream.StartAsync(key => key == id ? script : null, Ct))
        await using (var recorder = await StartAsync(RecordMode.All, upstream.UpstreamTemplate))
        {
            live = await RunAsync(recorder);
        }

        await using var replayer = await StartAsync(RecordMode.None);
        var replay = await RunAsync(replayer);
        var cassette = new CassetteStore(_temp.Path).Load(id)!;

        Assert.Equal([429, 200], cassette.Interactions.Select(i => i.Response.Status));
        Assert.Equal("2", cassette.Interactions[0].Response.Headers["retry-after"]);
        foreach (var run in new[] { live, replay })
        {
            Assert.Equal(EvalHarness.Agents.Runtime.AgentOutcome.Completed, run.Outcome);
            Assert.Equal(1, run.Counters["retries"]);
            var retry = Assert.Single(run.Trace, s => s.Kind == "retry");
            Assert.Equal("2000", retry.Tags["delay_ms"]);
            Assert.StartsWith("HTTP 429: Rate limit reached", retry.Tags["error"], StringComparison.Ordinal);
        }

        Assert.Empty((await replayer.TakeActivityAsync(id, Ct)).Misses);
    }

    [Fact]
    public async Task Replay_PermanentClientError_IsNotRetried()
    {
        const string id = "suite/v/bad-request/t1";
        IReadOnlyList<ScriptedTurn> script = [new() { ErrorStatus = 400, ErrorMessage = "Invalid 'messages'" }];
        await using (var upstream = await ScriptedUpstream.StartAsync(key => key == id ? script : null, Ct))
        await using (var recorder = await StartAsync(RecordMode.All, upstream.UpstreamTemplate))
        {
            using var client = Client(recorder, id);
            var options = new EvalHarness.Agents.Runtime.AgentOptions("gpt-4o-mini", "Be brief.", [], new EvalHarness.Agents.Runtime.AgentLimits(maxSteps: 2));
            var run = await new EvalHarness.Agents.Runtime.Agent(client, options with { Resilience = new(maxRetries: 3) { SkipDelays = true } }).RunAsync("Hello", Ct);

            Assert.Equal(EvalHarness.Agents.Runtime.AgentOutcome.Failed, run.Outcome);
            Assert.Contains("HTTP 400: Invalid 'messages'", run.Reason, StringComparison.Ordinal);
            Assert.False(run.Counters.ContainsKey("retries"));
        }

        Assert.Single(new CassetteStore(_temp.Path).Load(id)!.Interactions);
    }
}
