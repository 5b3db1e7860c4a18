using System.Diagnostics;
using System.Text.Json;
using EvalHarness.Agents.Providers;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// Azure OpenAI through the cassette server: its deployment URLs routed and recorded, its key never written, and the
/// official clients (Node's <c>AzureOpenAI</c>, C#'s Azure.AI.OpenAI 2.1.0, the built-in runtime) recording from the
/// scripted upstream and replaying with it gone.
/// </summary>
public sealed class AzureOpenAIProtocolTests : CliTest
{
    private const string Key = "3f9a0c1e5b7d4a2f8e6c0b1d9a7f5e3c";
    private const string Deployment = "support-mini";

    private static readonly IReadOnlyList<ScriptedTurn> Script =
    [
        new() { Text = "Let me look.", ToolCalls = [new ScriptedToolCall("lookup_order", JsonDocument.Parse("""{"order_id":"A1"}""").RootElement)] },
        new() { Text = "Order A1 has shipped and will arrive on Tuesday." },
    ];

    [Theory]
    [InlineData("s/v1/x/t1/openai/deployments/dep/chat/completions", "s/v1/x/t1", "openai/deployments/dep/chat/completions")]
    [InlineData("s/openai/t1/openai/deployments/dep/embeddings", "s/openai/t1", "openai/deployments/dep/embeddings")]
    [InlineData("s/x/t1//openai/deployments/dep/chat/completions", "s/x/t1", "openai/deployments/dep/chat/completions")]
    [InlineData("s/x/t1/openai/responses", "s/x/t1", "openai/responses")]
    public void TryRoute_AzurePath_EndsTheCassetteId(string rest, string id, string path)
    {
        Assert.True(WireProtocols.TryRoute(rest, _ => false, out var cassetteId, out var providerPath, out var protocol));
        Assert.Equal((id, path, "azure"), (cassetteId, providerPath, protocol.Name));
    }

    [Theory]
    [InlineData("s/x/openai/v1/chat/completions", true, "s/x", "openai/v1/chat/completions", "azure")]
    [InlineData("s/x/openai/v1/responses", true, "s/x", "openai/v1/responses", "azure")]
    [InlineData("s/x/openai/v1/chat/completions", false, "s/x/openai", "v1/chat/completions", "openai")]
    [InlineData("s/x/openai/v1/responses", false, "s/x/openai", "v1/responses", "openai")]
    public void TryRoute_TheV1Form_IsAzureOnlyWithItsApiKey(string rest, bool apiKey, string id, string path, string protocol)
    {
        Assert.True(WireProtocols.TryRoute(rest, marker => apiKey && marker == "api-key", out var cassetteId, out var providerPath, out var found));
        Assert.Equal((id, path, protocol), (cassetteId, providerPath, found.Name));
    }

    [Theory]
    [InlineData("openai/deployments/dep/chat/completions?api-version=2024-10-21")]
    [InlineData("openai/deployments/dep/embeddings?api-version=2024-10-21")]
    [InlineData("openai/responses?api-version=2025-04-01-preview")]
    [InlineData("openai/v1/chat/completions")]
    public void ForRecordedPath_AnAzurePath_IsAzure(string path) => Assert.Equal("azure", WireProtocols.ForRecordedPath(path).Name);

    [Fact]
    public void ReadAnswer_ADeploymentPathAndNoModelInTheBody_NamesTheDeployment()
    {
        var interaction = new Interaction(
            new RecordedRequest("POST", "openai/deployments/support-mini/chat/completions?api-version=2024-10-21", new Dictionary<string, string>(), JsonDocument.Parse("""{"messages":[]}""").RootElement),
            new RecordedResponse(200, new Dictionary<string, string>(), JsonDocument.Parse("""{"model":"gpt-4o-mini-2024-07-18","choices":[{"message":{"content":"Hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}""").RootElement),
            new InteractionTimings(1, 1));

        var answer = WireProtocols.ForRecordedPath(interaction.Request.Path).ReadAnswer(interaction);

        Assert.Equal(("support-mini", "Hi", 3L, 1L), (answer.Model, answer.Text, answer.InputTokens, answer.OutputTokens));
    }

    [Fact]
    public void ReadAnswer_AStreamThatOpensWithAzuresFilterChunk_TakesTheModelAndTextFromTheChunksAfterIt()
    {
        // The v1 form names no deployment in its path; this request names no model either, so the stream's model is the one.
        static SseEvent Event(string json) => new(1, JsonDocument.Parse(json).RootElement);
        var interaction = new Interaction(
            new RecordedRequest("POST", "openai/v1/chat/completions", new Dictionary<string, string>(), JsonDocument.Parse("""{"messages":[],"stream":true}""").RootElement),
            new RecordedResponse(200, new Dictionary<string, string>(), Events:
            [
                Event("""{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}"""),
                Event("""{"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"content_filter_results":{}}]}"""),
                Event("""{"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"""),
                Event("""{"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"""),
                Event("\"[DONE]\""),
            ]),
            new InteractionTimings(1, 1));

        var answer = WireProtocols.ForRecordedPath(interaction.Request.Path).ReadAnswer(interaction);

        Assert.Equal(("gpt-4o-mini-2024-07-18", "Hello", 3L, 2L), (answer.Model, answer.Text, answer.InputTokens, answer.OutputTokens));
    }

    // ---- C#: Azure.AI.OpenAI 2.1.0 through AsIChatClient ----

    private static readonly AIFunction Lookup = AIFunctionFactory.Create((string order_id) => "shipped", "lookup_order", "Looks up an order.");

    private static async Task<(ChatResponse First, ChatResponse Second)> ConverseAsync(Uri serve, string id, bool streaming)
    {
        using var client = AzureOpenAIChatClientFactory.Create(new Uri(serve, $"c/{id}/"), Key, Deployment);
        var options = new ChatOptions { Tools = [Lookup] };
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Where is A1?")];
        async Task<ChatResponse> AskAsync() => streaming
            ? (await client.GetStreamingResponseAsync(messages, options, Ct).ToListAsync(Ct)).ToChatResponse()
            : await client.GetResponseAsync(messages, options, Ct);

        var first = await AskAsync();
        messages.AddRange(first.Messages);
        var call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "shipped")]));
        return (first, await AskAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_AzureOpenAISdkThroughAsIChatClient_RecordsThenReplaysWithTheUpstreamGone_IdenticalToolCallsTextAndUsage(bool streaming)
    {
        var id = $"suite/v/azure-{(streaming ? "stream" : "plain")}/t1";
        var cassettes = Temp.Combine("cassettes");
        (ChatResponse First, ChatResponse Second) live;
        await using (var upstream = await ScriptedUpstream.StartAsync(_ => Script, Ct))
        await using (var recorder = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate))
        {
            live = await ConverseAsync(recorder.Address, id, streaming);
        }

        // evalh serve again, replaying, with the upstream gone.
        await using var replayer = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        var replay = await ConverseAsync(replayer.Address, id, streaming);
        var store = new CassetteStore(cassettes);
        var cassette = store.Load(id)!;
        var text = await File.ReadAllTextAsync(store.PathFor(id), Ct);

        foreach (var (first, second) in new[] { live, replay })
        {
            var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            Assert.Equal(("lookup_order", "A1"), (call.Name, call.Arguments!["order_id"]!.ToString()));
            Assert.Equal("Order A1 has shipped and will arrive on Tuesday.", second.Text);
            Assert.True(second.Usage!.InputTokenCount > 0 && second.Usage.OutputTokenCount > 0);
        }

        Assert.Equal(live.First.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().CallId,
            replay.First.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().CallId);
        Assert.Equal((live.Second.Usage!.InputTokenCount, live.Second.Usage.OutputTokenCount), (replay.Second.Usage!.InputTokenCount, replay.Second.Usage.OutputTokenCount));
        Assert.Equal("azure", cassette.Provider);
        Assert.All(cassette.Interactions, i => Assert.Equal($"openai/deployments/{Deployment}/chat/completions?api-version=2024-10-21", i.Request.Path));
        Assert.Equal(streaming, cassette.Interactions[0].Response.Events is not null);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.DoesNotContain("api-key", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("prompt_filter_results", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AzureOpenAISdk_AChangedPrompt_IsAnErrorTheClientShows_NamingTheJsonPath()
    {
        const string id = "suite/v/azure-changed/t1";
        var cassettes = Temp.Combine("cassettes");
        await using (var upstream = await ScriptedUpstream.StartAsync(_ => Script, Ct))
        await using (var recorder = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate))
        {
            await ConverseAsync(recorder.Address, id, streaming: false);
        }

        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        using var client = AzureOpenAIChatClientFactory.Create(new Uri(serve.Address, $"c/{id}/"), Key, Deployment);
        List<ChatMessage> changed = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Where is B2?")];

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync(changed, new ChatOptions { Tools = [Lookup] }, Ct));

        Assert.Contains("$.messages[1].content", error.Message, StringComparison.Ordinal);
        Assert.Contains("Where is B2?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_ACassetteIdEndingInOpenAI_WithThePlainOpenAIClient_IsNotReadAsAzure()
    {
        // A variant named openai puts "openai" right before OpenAI's v1/…: without Azure's api-key it is OpenAI's path.
        const string id = "suite/openai";
        var cassettes = Temp.Combine("cassettes");
        await using var upstream = await ScriptedUpstream.StartAsync(key => key == id ? [new ScriptedTurn { Text = "Hello." }] : null, Ct);
        await using var recorder = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = cassettes, Mode = RecordMode.All, Upstream = upstream.UpstreamTemplate }, Ct);
        using var client = OpenAIChatClient.Official(new Uri(recorder.BaseAddressFor(id), "v1"), OpenAIChatClient.Pipeline("sk-test-not-a-real-key"), "gpt-4o-mini");

        var answer = await client.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("Hello.", answer.Text);
        var cassette = new CassetteStore(cassettes).Load(id)!;
        Assert.Equal(("openai", "v1/chat/completions"), (cassette.Provider, cassette.Interactions[0].Request.Path));
    }

    [Fact]
    public async Task Record_ThePlainOpenAIClientOnAzuresV1Form_GoesToTheResourcesOpenAIv1Path()
    {
        // docs/providers/azure.md: OPENAI_BASE_URL as usual, --upstream https://<resource>.openai.azure.com/openai/.
        const string id = "suite/v1/plain/t1";
        using var azure = WireMockUpstream.Start();
        azure.Given(WireMock.RequestBuilders.Request.Create().WithPath("/openai/v1/chat/completions").WithHeader("Authorization", $"Bearer {Key}").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody(
                """{"id":"chatcmpl-1","object":"chat.completion","created":1733000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello."},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"""));
        var cassettes = Temp.Combine("cassettes");
        await using var recorder = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = cassettes, Mode = RecordMode.All, Upstream = new Uri(azure.BaseAddress(), "openai/").ToString() }, Ct);
        using var client = OpenAIChatClient.Official(new Uri(recorder.BaseAddressFor(id), "v1"), OpenAIChatClient.Pipeline(Key), Deployment);

        var answer = await client.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("Hello.", answer.Text);
        var cassette = new CassetteStore(cassettes).Load(id)!;
        Assert.Equal(("openai", "v1/chat/completions", Deployment), (cassette.Provider, cassette.Interactions[0].Request.Path, cassette.Metadata!.Model));
    }

    // ---- Node: the openai package's AzureOpenAI client through evalh serve ----

    /// <summary>
    /// Two turns with a tool call on the AzureOpenAI client as the docs show it (<c>endpoint</c> and <c>baseURL: null</c>,
    /// as OPENAI_BASE_URL is set too); prints the tool call, the final text and every response body as it came.
    /// </summary>
    private const string NodeAgent = """
        import { AzureOpenAI } from "openai";
        const raw = [];
        const client = new AzureOpenAI({
          endpoint: process.env.AZURE_OPENAI_ENDPOINT, baseURL: null, apiKey: process.env.AZURE_OPENAI_API_KEY,
          apiVersion: "2024-10-21", deployment: "support-mini",
          fetch: async (url, init) => { const r = await fetch(url, init); raw.push(await r.clone().text()); return r; },
        });
        const streaming = process.env.STREAM === "1";
        const tools = [{ type: "function", function: { name: "lookup_order", description: "Looks up an order.",
          parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] } } }];
        const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: process.env.PROMPT }];
        async function ask() {
          if (!streaming) {
            return (await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools })).choices[0].message;
          }
          const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools, stream: true, stream_options: { include_usage: true } });
          let content = "";
          const calls = [];
          for await (const chunk of stream) {
            for (const choice of chunk.choices) {
              content += choice.delta?.content ?? "";
              for (const t of choice.delta?.tool_calls ?? []) {
                const call = (calls[t.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
                call.id = t.id ?? call.id;
                call.function.name += t.function?.name ?? "";
                call.function.arguments += t.function?.arguments ?? "";
              }
            }
          }
          return { role: "assistant", content, ...(calls.length ? { tool_calls: calls } : {}) };
        }
        try {
          const first = await ask();
          messages.push(first);
          for (const call of first.tool_calls ?? []) messages.push({ role: "tool", tool_call_id: call.id, content: "shipped" });
          const second = await ask();
          console.log(JSON.stringify({ calls: (first.tool_calls ?? []).map(c => `${c.function.name} ${c.function.arguments}`), text: second.content, raw }));
        } catch (error) {
          console.log(JSON.stringify({ error: `${error.status} ${error.message}` }));
        }
        """;

    private async Task<JsonElement> RunNodeAsync(ServeHost serve, string id, bool streaming, string prompt = "Where is A1?", string agent = NodeAgent)
    {
        var nodeModules = Path.Combine(RepoPaths.Example("node-agent"), "node_modules");
        Assert.True(Directory.Exists(Path.Combine(nodeModules, "openai")), "examples/node-agent needs `npm ci` (dotnet test runs it)");
        if (!Directory.Exists(Temp.Combine("node_modules")))
        {
            Directory.CreateSymbolicLink(Temp.Combine("node_modules"), nodeModules);
        }

        var script = Temp.Write("azure-agent.mjs", agent);
        var start = new ProcessStartInfo("node", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Temp.Path };
        // What a process agent gets from the harness: its endpoint with no path, and OpenAI's base URL beside it.
        start.Environment["AZURE_OPENAI_ENDPOINT"] = serve.Address + $"c/{id}";
        start.Environment["OPENAI_BASE_URL"] = serve.V1(id).ToString().TrimEnd('/');
        start.Environment["AZURE_OPENAI_API_KEY"] = Key;
        start.Environment["STREAM"] = streaming ? "1" : "0";
        start.Environment["PROMPT"] = prompt;
        using var node = Process.Start(start)!;
        var errors = node.StandardError.ReadToEndAsync(Ct);
        var output = await node.StandardOutput.ReadToEndAsync(Ct);
        await node.WaitForExitAsync(Ct);
        Assert.True(output.Length > 0, await errors);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private async Task<JsonElement> RecordThroughServeAsync(string cassettes, string id, bool streaming)
    {
        await using var upstream = await ScriptedUpstream.StartAsync(key => key == id ? Script : null, Ct);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate);
        return await RunNodeAsync(serve, id, streaming);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_NodeAzureOpenAIClient_RecordsThenReplaysWithTheUpstreamGone_ByteIdentical(bool streaming)
    {
        var id = $"support/azure/order-status-{(streaming ? "stream" : "plain")}/t1";
        var cassettes = Temp.Combine("cassettes");

        var recorded = await RecordThroughServeAsync(cassettes, id, streaming);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        var replayed = await RunNodeAsync(serve, id, streaming);

        foreach (var run in new[] { recorded, replayed })
        {
            Assert.False(run.TryGetProperty("error", out var error), error.ToString());
            Assert.Equal(["lookup_order {\"order_id\":\"A1\"}"], run.GetProperty("calls").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal("Order A1 has shipped and will arrive on Tuesday.", run.GetProperty("text").GetString());
        }

        var raw = recorded.GetProperty("raw").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Equal(2, raw.Count);
        Assert.Equal(raw, replayed.GetProperty("raw").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["#1 hit", "#2 hit"], (await serve.LogLinesAsync(id, 2, Ct)).Select(l => System.Text.RegularExpressions.Regex.Match(l, "#[0-9]+ [a-z]+").Value));
        var store = new CassetteStore(cassettes);
        var cassette = store.Load(id)!;
        Assert.Equal("azure", cassette.Provider);
        Assert.Equal($"openai/deployments/{Deployment}/chat/completions?api-version=2024-10-21", cassette.Interactions[0].Request.Path);
        Assert.Equal(streaming, cassette.Interactions[0].Response.Events is not null);
        var text = await File.ReadAllTextAsync(store.PathFor(id), Ct);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.DoesNotContain("api-key", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Serve_NodeAzureOpenAIClient_AChangedPrompt_Is422NamingTheJsonPath()
    {
        const string id = "support/azure/order-status/t1";
        var cassettes = Temp.Combine("cassettes");
        await RecordThroughServeAsync(cassettes, id, streaming: false);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);

        var run = await RunNodeAsync(serve, id, streaming: false, prompt: "Where is order A2?");

        var error = run.GetProperty("error").GetString()!;
        Assert.StartsWith("422 ", error, StringComparison.Ordinal);
        Assert.Contains("interaction #1: the request differs from the recording at $.messages[1].content", error, StringComparison.Ordinal);
        Assert.Contains($" {id} #1 miss 422 ", Assert.Single(await serve.LogLinesAsync(id, 1, Ct)), StringComparison.Ordinal);
    }

    /// <summary>The Responses API (no deployment in the path) and embeddings (the body's model as the deployment) on AzureOpenAI.</summary>
    private const string NodeResponsesAndEmbeddings = """
        import { AzureOpenAI } from "openai";
        const raw = [];
        const client = new AzureOpenAI({
          endpoint: process.env.AZURE_OPENAI_ENDPOINT, baseURL: null, apiKey: process.env.AZURE_OPENAI_API_KEY, apiVersion: "2025-04-01-preview",
          fetch: async (url, init) => { const r = await fetch(url, init); raw.push(await r.clone().text()); return r; },
        });
        try {
          const response = await client.responses.create({ model: "support-mini", input: process.env.PROMPT });
          const embedding = await client.embeddings.create({ model: "emb-dep", input: "hi" });
          console.log(JSON.stringify({ text: response.output_text, embedding: Array.from(embedding.data[0].embedding), raw }));
        } catch (error) {
          console.log(JSON.stringify({ error: `${error.status} ${error.message}` }));
        }
        """;

    [Fact]
    public async Task Serve_NodeAzureOpenAIClient_ResponsesAndEmbeddings_RecordThenReplay()
    {
        const string id = "support/azure/responses/t1";
        var cassettes = Temp.Combine("cassettes");
        // A fake Azure resource: its Responses answer, and an embedding as base64 float32 (what the SDK asks for).
        using var azure = WireMockUpstream.Start();
        azure.Given(WireMock.RequestBuilders.Request.Create().WithPath("/openai/responses").WithParam("api-version", "2025-04-01-preview").WithHeader("api-key", Key).UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody(
                """{"id":"resp_1","object":"response","created_at":1733000000,"status":"completed","model":"gpt-4o-mini-2024-07-18","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello from Responses.","annotations":[]}]}],"usage":{"input_tokens":5,"output_tokens":4,"total_tokens":9}}"""));
        var vector = Convert.ToBase64String([.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-0.25f)]);
        azure.Given(WireMock.RequestBuilders.Request.Create().WithPath("/openai/deployments/emb-dep/embeddings").WithHeader("api-key", Key).UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody(
                $$$"""{"object":"list","data":[{"object":"embedding","index":0,"embedding":"{{{vector}}}"}],"model":"text-embedding-3-small","usage":{"prompt_tokens":1,"total_tokens":1}}"""));

        JsonElement recorded;
        await using (var recorder = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", azure.BaseAddress().ToString()))
        {
            recorded = await RunNodeAsync(recorder, id, streaming: false, prompt: "Hi", agent: NodeResponsesAndEmbeddings);
        }

        azure.Stop();
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        var replayed = await RunNodeAsync(serve, id, streaming: false, prompt: "Hi", agent: NodeResponsesAndEmbeddings);

        foreach (var run in new[] { recorded, replayed })
        {
            Assert.False(run.TryGetProperty("error", out var error), error.ToString());
            Assert.Equal("Hello from Responses.", run.GetProperty("text").GetString());
            Assert.Equal([0.5, -0.25], run.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()));
        }

        Assert.Equal(recorded.GetProperty("raw").GetRawText(), replayed.GetProperty("raw").GetRawText());
        var cassette = new CassetteStore(cassettes).Load(id)!;
        Assert.Equal("azure", cassette.Provider);
        Assert.Equal(["openai/responses?api-version=2025-04-01-preview", "openai/deployments/emb-dep/embeddings?api-version=2025-04-01-preview"], cassette.Interactions.Select(i => i.Request.Path));
        var answer = WireProtocols.ForRecordedPath(cassette.Interactions[0].Request.Path).ReadAnswer(cassette.Interactions[0]);
        Assert.Equal(("support-mini", "Hello from Responses.", 5L, 4L), (answer.Model, answer.Text, answer.InputTokens, answer.OutputTokens));
    }

    // ---- The built-in runtime: model: azure:<deployment> ----

    [Fact]
    public async Task RecordThenReplay_BuiltInSuiteOnAnAzureDeployment_PassesPlainAndStreamed()
    {
        Temp.Write("calc.yaml", """
            suite: calc
            agent: { model: "azure:calc-mini", price_as: gpt-4o-mini, system_prompt: "Use calculate.", tools: [calculator.evaluate] }
            variants:
              - name: default
              - name: streaming
                streaming: true
            scenarios:
              - name: sum
                input: "2+3?"
                expect: { tools: { called: [{ name: calculate, args: { expression: "2+3" } }] }, output: { contains: ["5"] } }
            """);
        Temp.Write("scripts/calc.yaml", """
            default:
              sum:
                - tools: [{ calculate: { expression: "2+3" } }]
                - text: "It is 5."
            """);
        var cassettes = Temp.Combine("cassettes");

        var recorded = await Evalh("record", Temp.Combine("calc.yaml"), "--upstream", "scripted", "--cassettes", cassettes, "--reports", Temp.Combine("r1"));
        Assert.True(recorded == 0, $"{Out}{Error}");
        var replayed = await Evalh("run", Temp.Combine("calc.yaml"), "--cassettes", cassettes, "--reports", Temp.Combine("r2"));
        Assert.True(replayed == 0, $"{Out}{Error}");

        // The deployment is charged at the price of the model it runs: azure:gpt-4o-mini, $0.15 in and $0.60 out per million tokens.
        var results = Directory.GetFiles(Temp.Combine("r2", "runs"), "results.json", SearchOption.AllDirectories).Single();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(results, Ct));
        var cases = json.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(2, cases.Count);
        Assert.All(cases, c => Assert.Equal(
            ((c.GetProperty("inputTokens").GetInt64() * 0.15m) + (c.GetProperty("outputTokens").GetInt64() * 0.60m)) / 1_000_000m,
            c.GetProperty("costUsd").GetDecimal()));
        Assert.All(cases, c => Assert.True(c.GetProperty("costUsd").GetDecimal() > 0));
        foreach (var (variant, streamed) in new[] { ("default", false), ("streaming", true) })
        {
            var cassette = new CassetteStore(cassettes).Load($"calc/{variant}/sum/t1")!;
            Assert.Equal("azure", cassette.Provider);
            Assert.Equal(2, cassette.Interactions.Count);
            Assert.All(cassette.Interactions, i => Assert.StartsWith("openai/deployments/calc-mini/chat/completions?api-version=", i.Request.Path, StringComparison.Ordinal));
            Assert.Equal(streamed, cassette.Interactions[0].Response.Events is not null);
        }
    }

    // ---- Prices: a deployment is priced as the model it runs ----

    [Fact]
    public void PriceAs_AModelWithNoAzurePrice_IsALoadErrorListingThePricedOnes()
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Parse("x.yaml", """
            suite: x
            agent: { model: "azure:calc-mini", price_as: gpt-5-turbo, system_prompt: hi }
            scenarios: [{ name: s, input: hi }]
            """));

        Assert.Contains("price_as: there is no price for azure:gpt-5-turbo; priced azure models are gpt-4o-mini, gpt-4o, gpt-4.1-mini.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PriceAs_BelongsToItsModel_AVariantOnAnotherModelIsPricedByItsOwnOrItsOwnPriceAs()
    {
        var suite = SuiteLoader.Parse("x.yaml", """
            suite: x
            agent: { model: "azure:calc-mini", price_as: gpt-4o-mini, system_prompt: hi }
            variants:
              - name: default
              - name: big
                model: azure:calc-big
                price_as: gpt-4o
              - name: openai
                model: openai:gpt-4o
            scenarios: [{ name: s, input: hi }]
            """);

        var priced = suite.Variants.Select(v => v.Agent.PricedAs(v.Agent.Model).ToString());

        Assert.Equal(["azure:gpt-4o-mini", "azure:gpt-4o", "openai:gpt-4o"], priced);
    }

    [Fact]
    public void RecordedTraffic_AnAzureCallOnTheSuitesDeployment_IsPricedAsItsPriceAs()
    {
        // What a process or .NET agent's calls cost, read from its cassette: the C# client names the deployment in the body.
        var interaction = new Interaction(
            new RecordedRequest("POST", "openai/deployments/support-mini/chat/completions?api-version=2024-10-21", new Dictionary<string, string>(), JsonDocument.Parse("""{"model":"support-mini","messages":[]}""").RootElement),
            new RecordedResponse(200, new Dictionary<string, string>(), JsonDocument.Parse("""{"model":"gpt-4o-mini-2024-07-18","choices":[{"message":{"content":"Hi"}}],"usage":{"prompt_tokens":1000000,"completion_tokens":1000000}}""").RootElement),
            new InteractionTimings(1, 1));
        var config = new AgentConfig { Model = new ModelRef("azure", "support-mini"), PriceAs = "gpt-4o-mini", SystemPrompt = string.Empty, SystemPromptSource = "inline" };

        Assert.Null(RecordedTraffic.Analyse([interaction], "agent").CostUsd);
        Assert.Equal(0.75m, RecordedTraffic.Analyse([interaction], "agent", config.PricedAs).CostUsd);
    }

    [Fact]
    public async Task RecordLive_AnAzureSuite_IsAnInputErrorAskingForTheEndpoint()
    {
        // Azure has no single address: live, its requests (and its key) would go to OpenAI's.
        Temp.Write("chat.yaml", """
            suite: chat
            agent: { model: "azure:chat-mini", system_prompt: Be brief. }
            scenarios: [{ name: hi, input: Hi. }]
            """);

        var exit = await Evalh("record", Temp.Combine("chat.yaml"), "--upstream", "live", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Contains("--upstream live cannot record azure models: they have no single live address. Pass the endpoint instead: --upstream <url>.", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp.Combine("cassettes")));
    }

    // ---- A process agent: the harness's environment, read by the Node AzureOpenAI client ----

    /// <summary>A process agent on AzureOpenAI as docs/providers/azure.md shows it: endpoint and key from the harness's environment.</summary>
    private const string ProcessAgent = """
        import { AzureOpenAI } from "openai";
        const input = JSON.parse(await new Promise(resolve => { let s = ""; process.stdin.on("data", d => s += d); process.stdin.on("end", () => resolve(s)); }));
        const client = new AzureOpenAI({
          endpoint: process.env.AZURE_OPENAI_ENDPOINT, baseURL: null, apiKey: process.env.AZURE_OPENAI_API_KEY,
          apiVersion: "2024-10-21", deployment: "support-mini",
        });
        const tools = [{ type: "function", function: { name: "lookup_order", description: "Looks up an order.",
          parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] } } }];
        const messages = [{ role: "system", content: "Be brief." }, { role: "user", content: input.input }];
        for (let step = 0; step < 4; step++) {
          const message = (await client.chat.completions.create({ model: "support-mini", messages, tools })).choices[0].message;
          messages.push(message);
          if (!message.tool_calls?.length) { console.log(JSON.stringify({ output: message.content })); break; }
          for (const call of message.tool_calls) messages.push({ role: "tool", tool_call_id: call.id, content: "shipped" });
        }
        """;

    [Fact]
    public async Task RecordThenReplay_ProcessAgentOnNodeAzureOpenAI_ReadsItsToolCallsAndPriceFromTheTraffic()
    {
        var nodeModules = Path.Combine(RepoPaths.Example("node-agent"), "node_modules");
        Assert.True(Directory.Exists(Path.Combine(nodeModules, "openai")), "examples/node-agent needs `npm ci` (dotnet test runs it)");
        Directory.CreateSymbolicLink(Temp.Combine("node_modules"), nodeModules);
        Temp.Write("agent.mjs", ProcessAgent);
        Temp.Write("orders.yaml", """
            suite: orders
            agent: { command: [node, agent.mjs], model: "azure:support-mini", price_as: gpt-4o-mini, timeout_s: 30 }
            scenarios:
              - name: where-is-a1
                input: "Where is A1?"
                expect: { output: { contains: [Tuesday] }, tools: { called: [{ name: lookup_order, args: { order_id: A1 } }] } }
            """);
        Temp.Write("scripts/orders.yaml", """
            default:
              where-is-a1:
                - tools: [{ lookup_order: { order_id: A1 } }]
                - text: "Order A1 has shipped and will arrive on Tuesday."
            """);
        var cassettes = Temp.Combine("cassettes");

        var recorded = await Evalh("record", Temp.Combine("orders.yaml"), "--upstream", "scripted", "--cassettes", cassettes, "--reports", Temp.Combine("r1"));
        Assert.True(recorded == 0, $"{Out}{Error}");
        var replayed = await Evalh("run", Temp.Combine("orders.yaml"), "--cassettes", cassettes, "--reports", Temp.Combine("r2"));
        Assert.True(replayed == 0, $"{Out}{Error}");

        var results = Directory.GetFiles(Temp.Combine("r2", "runs"), "results.json", SearchOption.AllDirectories).Single();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(results, Ct));
        var result = json.RootElement.GetProperty("cases")[0];
        Assert.Equal(
            ((result.GetProperty("inputTokens").GetInt64() * 0.15m) + (result.GetProperty("outputTokens").GetInt64() * 0.60m)) / 1_000_000m,
            result.GetProperty("costUsd").GetDecimal());
        Assert.True(result.GetProperty("inputTokens").GetInt64() > 0);
        var cassette = new CassetteStore(cassettes).Load("orders/default/where-is-a1/t1")!;
        Assert.Equal(("azure", 2), (cassette.Provider, cassette.Interactions.Count));
    }
}
