using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Tests.Support;
using Microsoft.AspNetCore.Builder;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// Gemini's native API end to end: the official <c>@google/genai</c> Node SDK records through <c>evalh serve</c> from the
/// scripted upstream and replays with it gone; a changed prompt is a diff the SDK shows; a built-in-runtime suite on
/// <c>gemini:gemini-2.0-flash</c> records and replays through the harness's own Gemini client.
/// </summary>
public sealed class GeminiServeTests : CliTest
{
    private const string Weather = "gem/default/weather/t1";
    private const string Curl = "gem/default/curl/t1";
    private const string Ids = "gem/default/ids/t1";

    /// <summary>A key in the shape of a Google API key: what must never reach a cassette.</summary>
    private const string LiveKey = "AIzaSyD3v5Xq9LmN0pQrStUvWxYz0123456789A";

    /// <summary>
    /// One run of an agent on <c>@google/genai</c>: a function call and its response (generateContent twice), then a
    /// streamed answer (generateContentStream). Prints what the SDK gave back, or the error it threw.
    /// </summary>
    private const string Client = """
        import { GoogleGenAI } from "@google/genai";
        // GOOGLE_GEMINI_BASE_URL is the SDK's own variable; BASE_URL, when given, goes in httpOptions.baseUrl.
        // API_VERSION=v1 calls /v1/models/… as @google/genai 3.x does by default.
        const ai = new GoogleGenAI({ apiKey: process.env.KEY, httpOptions: {
          ...(process.env.BASE_URL ? { baseUrl: process.env.BASE_URL } : {}), ...(process.env.API_VERSION ? { apiVersion: process.env.API_VERSION } : {}) } });
        const model = "gemini-2.0-flash";
        const tools = [{ functionDeclarations: [{ name: "get_weather", description: "Get the weather for a city",
          parametersJsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }] }];
        const config = { systemInstruction: "You are terse.", tools, temperature: 0 };
        const answer = r => ({ candidates: r.candidates, usageMetadata: r.usageMetadata, modelVersion: r.modelVersion, responseId: r.responseId });
        const answers = [];
        try {
          const contents = [{ role: "user", parts: [{ text: process.env.PROMPT || "Weather in Paris?" }] }];
          const first = await ai.models.generateContent({ model, contents, config });
          answers.push(answer(first));
          const call = first.functionCalls[0];
          contents.push(first.candidates[0].content);
          contents.push({ role: "user", parts: [{ functionResponse: { id: call.id, name: call.name, response: { result: { tempC: 21, sky: "sunny" } } } }] });
          const second = await ai.models.generateContent({ model, contents, config });
          answers.push(answer(second));
          const stream = await ai.models.generateContentStream({ model, contents: process.env.STREAM_PROMPT || "Say hello" });
          for await (const chunk of stream) answers.push(answer(chunk));
          console.log(JSON.stringify({ text: second.text, answers }));
        } catch (error) {
          console.log(`ERROR ${error.status} ${error.message}`);
        }
        """;

    /// <summary>The scripted model: the terse weather agent's call and answer, and the streamed greeting (no system prompt).</summary>
    private static IReadOnlyList<ScriptedTurn>? Script(string id, string? system) => id is Curl or Ids ? [new ScriptedTurn { Text = "Hi back." }] : id != Weather ? null : system == "You are terse."
        ? [new ScriptedTurn { ToolCalls = [new ScriptedToolCall("get_weather", JsonDocument.Parse("""{"city":"Paris"}""").RootElement.Clone())] },
           new ScriptedTurn { Text = "It is 21°C and sunny in Paris." }]
        : [new ScriptedTurn { Text = "Hello there, from a streamed answer." }];

    private async Task<string> RunClientAsync(ServeHost serve, string? prompt = null, string? streamPrompt = null, bool baseUrlOption = false, string? apiVersion = null)
    {
        var nodeModules = Path.Combine(RepoPaths.Root, "tests", "node-clients", "node_modules");
        Assert.True(Directory.Exists(Path.Combine(nodeModules, "@google", "genai")), "tests/node-clients needs `npm ci` (the test project's build runs it)");
        if (!Directory.Exists(Temp.Combine("node_modules")))
        {
            Directory.CreateSymbolicLink(Temp.Combine("node_modules"), nodeModules);
        }

        var script = Temp.Combine("gemini-client.mjs");
        if (!File.Exists(script))
        {
            Temp.Write("gemini-client.mjs", Client);
        }

        var start = new ProcessStartInfo("node", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Temp.Path };
        var baseUrl = new Uri(serve.Address, $"c/{Weather}/").ToString();
        start.Environment[baseUrlOption ? "BASE_URL" : "GOOGLE_GEMINI_BASE_URL"] = baseUrl;
        start.Environment["KEY"] = LiveKey;
        start.Environment["PROMPT"] = prompt ?? string.Empty;
        start.Environment["STREAM_PROMPT"] = streamPrompt ?? string.Empty;
        start.Environment["API_VERSION"] = apiVersion ?? string.Empty;
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync(Ct);
        var error = await node.StandardError.ReadToEndAsync(Ct);
        await node.WaitForExitAsync(Ct);
        Assert.True(node.ExitCode == 0, error);
        return (await output).Trim();
    }

    /// <summary>Records the client's run through serve from the scripted upstream.</summary>
    private async Task<string> RecordAsync(string cassettes, string? apiVersion = null)
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Script, Ct);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate);
        var recorded = await RunClientAsync(serve, apiVersion: apiVersion);
        await serve.LogLinesAsync(Weather, 3, Ct);
        return recorded;
    }

    [Fact]
    public async Task Serve_AStreamRefusedForALiveKey_EndsWithAnUnnamedErrorEventTheSdkReads()
    {
        const string key = "AIzaSyD3f9a0c1e5b7d4a2f8e6c0b1d9a7f5e3c";
        // A Gemini behind a proxy that echoes the key it was sent: the stream cannot be written to a cassette.
        var (app, upstream) = await LoopbackHostAccess.StartAsync(
            a => a.MapPost("/v1beta/models/{model}", async (Microsoft.AspNetCore.Http.HttpContext c) =>
            {
                c.Response.ContentType = "text/event-stream";
                var echo = c.Request.Headers["x-goog-api-key"].ToString();
                await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(c.Response,
                    $$$"""data: {"candidates":[{"content":{"role":"model","parts":[{"text":"key {{{echo}}}"}]}}]}""" + "\r\n\r\n", Ct);
            }),
            Ct);
        await using var _ = app;
        var cassettes = Path.Combine(Temp.Path, "refused");
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.ToString());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(serve.Address, "c/echo/default/key/t1/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"))
        {
            Content = new StringContent("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-goog-api-key", key);

        using var response = await http.SendAsync(request, Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n').Select(l => l.TrimEnd('\r')).ToList();

        // The last event is the error, with no event: line (@google/genai drops named events), in Google's error shape.
        Assert.DoesNotContain(lines, l => l.StartsWith("event:", StringComparison.Ordinal));
        using var error = JsonDocument.Parse(lines.Last(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]);
        Assert.Contains("contains the live API key", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(cassettes) && Directory.EnumerateFiles(cassettes, "*.json", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Serve_GoogleGenAi_RecordsFromTheScriptedUpstream_AndReplaysTheSameAnswersWithItGone()
    {
        var cassettes = Temp.Combine("cassettes");

        var recorded = await RecordAsync(cassettes);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        var replayed = await RunClientAsync(serve, baseUrlOption: true);

        Assert.StartsWith("""{"text":"It is 21°C and sunny in Paris.","answers":[""", recorded, StringComparison.Ordinal);
        Assert.Equal(recorded, replayed);
        Assert.Equal(["#1 hit", "#2 hit", "#3 hit"], (await serve.LogLinesAsync(Weather, 3, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
        using var answers = JsonDocument.Parse(replayed);
        // The call and its answer, then the stream in chunks: "Hello there, from" and " a streamed answer.", the last one finished.
        var chunks = answers.RootElement.GetProperty("answers").EnumerateArray().Skip(2).ToList();
        Assert.Equal(["Hello there, from ", "a streamed answer."], chunks.Select(c => c.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()));
        Assert.Equal("STOP", chunks[^1].GetProperty("candidates")[0].GetProperty("finishReason").GetString());

        var cassette = new CassetteStore(cassettes).Load(Weather)!;
        Assert.Equal(
            ["v1beta/models/gemini-2.0-flash:generateContent", "v1beta/models/gemini-2.0-flash:generateContent", "v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"],
            cassette.Interactions.Select(i => i.Request.Path));
        var read = cassette.Interactions.Select(i => WireProtocols.ForRecordedPath(i.Request.Path).ReadAnswer(i)).ToList();
        Assert.Equal(new ModelToolCall("get_weather", "get_weather", """{"city":"Paris"}"""), Assert.Single(read[0].ToolCalls));
        Assert.Equal(["", "It is 21°C and sunny in Paris.", "Hello there, from a streamed answer."], read.Select(a => a.Text));
        Assert.All(read, a => Assert.Equal("gemini-2.0-flash", a.Model));
        var request = WireProtocols.ForRecordedPath(cassette.Interactions[1].Request.Path).ReadRequest(cassette.Interactions[1].Request.Body);
        Assert.Equal("get_weather", Assert.Single(request.ToolResults).CallId);
    }

    [Fact]
    public async Task Serve_GoogleGenAi_OnTheV1Api_RecordsAndReplays()
    {
        var cassettes = Temp.Combine("cassettes");

        var recorded = await RecordAsync(cassettes, apiVersion: "v1");
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        var replayed = await RunClientAsync(serve, apiVersion: "v1");

        Assert.StartsWith("""{"text":"It is 21°C and sunny in Paris.","answers":[""", recorded, StringComparison.Ordinal);
        Assert.Equal(recorded, replayed);
        Assert.All(new CassetteStore(cassettes).Load(Weather)!.Interactions, i => Assert.StartsWith("v1/models/gemini-2.0-flash:", i.Request.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_GeminiKey_InTheHeaderOrTheQuery_NeverReachesTheCassette()
    {
        var cassettes = Temp.Combine("cassettes");
        await using var upstream = await ScriptedUpstream.StartAsync(Script, Ct);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate);
        await RunClientAsync(serve);
        await serve.LogLinesAsync(Weather, 3, Ct);
        using var http = new HttpClient();
        // curl users put the key in ?key=.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(serve.Address, $"c/{Curl}/v1beta/models/gemini-2.0-flash:generateContent?key={LiveKey}"))
        {
            Content = new StringContent("""{"contents":[{"parts":[{"text":"Hi"}],"role":"user"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("x-goog-api-key", LiveKey);
        using var response = await http.SendAsync(request, Ct);
        await serve.LogLinesAsync(Curl, 1, Ct);

        var files = Directory.GetFiles(cassettes, "*", SearchOption.AllDirectories);
        var text = string.Concat(files.Select(File.ReadAllText));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, files.Length);
        Assert.Contains("streamGenerateContent?alt=sse", text, StringComparison.Ordinal);
        Assert.Contains("generateContent?key=[scrubbed]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(LiveKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("x-goog-api-key", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(LiveKey, serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_CallIdsAndThoughtSignaturesTheModelMadeUp_AreNotMatched()
    {
        const string body = """
            {"contents":[{"parts":[{"text":"Weather?"}],"role":"user"},
              {"parts":[{"functionCall":{"id":"<id>","name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"<sig>"}],"role":"model"},
              {"parts":[{"functionResponse":{"id":"<id>","name":"get_weather","response":{"result":"sunny"}}}],"role":"user"}]}
            """;
        static StringContent Body(string id, string signature) =>
            new(body.Replace("<id>", id, StringComparison.Ordinal).Replace("<sig>", signature, StringComparison.Ordinal), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        var cassettes = Temp.Combine("cassettes");
        using var http = new HttpClient();
        string recorded;
        await using (var upstream = await ScriptedUpstream.StartAsync(Script, Ct))
        await using (var recording = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.UpstreamTemplate))
        {
            using var answer = await http.PostAsync(new Uri(recording.Address, $"c/{Ids}/v1beta/models/gemini-2.5-flash:generateContent"), Body("call-1", "c2lnLTE="), Ct);
            recorded = await answer.Content.ReadAsStringAsync(Ct);
            await recording.LogLinesAsync(Ids, 1, Ct);
        }

        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        using var replayed = await http.PostAsync(new Uri(serve.Address, $"c/{Ids}/v1beta/models/gemini-2.5-flash:generateContent"), Body("call-2", "c2lnLTI="), Ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(recorded, await replayed.Content.ReadAsStringAsync(Ct));
        Assert.Contains("Hi back.", recorded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ChangedPrompt_InTheFirstRequestOfAFinishedRun_IsAnErrorTheSdkShows_NamingTheJsonPath()
    {
        var cassettes = Temp.Combine("cassettes");
        await RecordAsync(cassettes);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);
        Assert.StartsWith("{", await RunClientAsync(serve), StringComparison.Ordinal);

        var output = await RunClientAsync(serve, prompt: "Weather in Lyon?");

        Assert.StartsWith("ERROR 422 ", output, StringComparison.Ordinal);
        Assert.Contains("interaction #1: the request differs from the recording at $.contents[0].parts[0].text", output, StringComparison.Ordinal);
        Assert.Contains("Lyon", output, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"FAILED_PRECONDITION\"", output, StringComparison.Ordinal);
        Assert.Equal(["#1 hit", "#2 hit", "#3 hit", "#1 miss"], (await serve.LogLinesAsync(Weather, 4, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
    }

    [Fact]
    public async Task Serve_ChangedPrompt_InALaterRequest_IsAnErrorTheSdkShows_NamingTheJsonPath()
    {
        var cassettes = Temp.Combine("cassettes");
        await RecordAsync(cassettes);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes);

        var output = await RunClientAsync(serve, streamPrompt: "Say goodbye");

        Assert.StartsWith("ERROR 422 ", output, StringComparison.Ordinal);
        Assert.Contains("interaction #3: the request differs from the recording at $.contents[0].parts[0].text", output, StringComparison.Ordinal);
        Assert.Contains("goodbye", output, StringComparison.Ordinal);
        Assert.Equal(["#1 hit", "#2 hit", "#3 miss"], (await serve.LogLinesAsync(Weather, 3, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
    }

    [Fact]
    public async Task ProcessAgent_OnGoogleGenAi_WithTheEnvironmentsBaseUrlAndKey_RecordsAndReplays_AndItsToolCallsAreRead()
    {
        Directory.CreateDirectory(Temp.Combine("evals"));
        Directory.CreateSymbolicLink(Temp.Combine("evals", "node_modules"), Path.Combine(RepoPaths.Root, "tests", "node-clients", "node_modules"));
        Temp.Write("evals/agent.mjs", """
            import { GoogleGenAI } from "@google/genai";
            let input = "";
            for await (const chunk of process.stdin) input += chunk;
            // GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY come from the harness.
            const ai = new GoogleGenAI({});
            const tools = [{ functionDeclarations: [{ name: "get_weather", description: "The weather in a city",
              parametersJsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }] }];
            const contents = [{ role: "user", parts: [{ text: JSON.parse(input).input }] }];
            let output = "";
            for (let step = 0; step < 4 && !output; step++) {
              const answer = await ai.models.generateContent({ model: process.env.EVALH_MODEL, contents, config: { systemInstruction: "You are a weather desk.", tools } });
              if (!answer.functionCalls?.length) { output = answer.text; break; }
              contents.push(answer.candidates[0].content);
              contents.push({ role: "user", parts: answer.functionCalls.map(call => ({ functionResponse: { id: call.id, name: call.name, response: { result: { tempC: 21, sky: "sunny" } } } })) });
            }
            console.log(JSON.stringify({ output }));
            """);
        var suite = Temp.Write("evals/desk.yaml", """
            suite: desk
            cassettes: { dir: cassettes }
            agent:
              command: [node, agent.mjs]
              model: gemini:gemini-2.0-flash
              tools: [get_weather]
              timeout_s: 60
            scenarios:
              - name: paris
                input: "Weather in Paris?"
                expect:
                  output: { contains: ["21 °C"] }
                  tools:
                    called: [{ name: get_weather, args: { city: Paris } }]
            """);
        Temp.Write("evals/scripts/desk.yaml", """
            default:
              paris:
                - tools: [{ get_weather: { city: Paris } }]
                - text: "It is 21 °C and sunny in Paris."
            """);

        var recordExit = await Evalh("record", suite, "--upstream", "scripted", "--reports", Temp.Combine("r1"));
        var recordOutput = Out.ToString();
        var runExit = await Evalh("run", suite, "--reports", Temp.Combine("r2"));

        Assert.True(recordExit == 0, recordOutput + Error);
        Assert.True(runExit == 0, Out.ToString() + Error);
        Assert.Equal(
            ["v1beta/models/gemini-2.0-flash:generateContent", "v1beta/models/gemini-2.0-flash:generateContent"],
            new CassetteStore(Temp.Combine("evals", "cassettes")).Load("desk/default/paris/t1")!.Interactions.Select(i => i.Request.Path));
        Assert.Matches(@"cost \$0\.(?!000000)[0-9]{6}", Out.ToString());
    }

    [Fact]
    public async Task BuiltInRuntime_GeminiModel_RecordsFromTheScriptedUpstream_AndReplaysThroughTheGeminiClient()
    {
        var suite = Temp.Write("evals/desk.yaml", """
            suite: desk
            cassettes: { dir: cassettes }
            agent:
              model: gemini:gemini-2.0-flash
              system_prompt: "You are the support assistant of a small shop. Look orders up before you answer."
              tools: [orders.lookup_order]
              limits: { max_steps: 4 }
            variants:
              - name: default
              - name: streamed
                streaming: true
            fixtures:
              orders:
                - { id: B200, customer: ben@example.com, total: 129.00, status: shipped, item: wireless headphones }
            scenarios:
              - name: order-status
                input: "Where is my order B200?"
                expect:
                  output: { contains: [B200, shipped] }
                  tools:
                    called: [{ name: orders.lookup_order, args: { order_id: B200 } }]
            """);
        Temp.Write("evals/scripts/desk.yaml", """
            default:
              order-status:
                - tools: [{ lookup_order: { order_id: B200 } }]
                - text: "Your order B200 (wireless headphones) has shipped."
            """);

        var recordExit = await Evalh("record", suite, "--upstream", "scripted", "--reports", Temp.Combine("r1"));
        var recordOutput = Out.ToString();
        var runExit = await Evalh("run", suite, "--reports", Temp.Combine("r2"));

        Assert.True(recordExit == 0, recordOutput + Error);
        Assert.True(runExit == 0, Out.ToString() + Error);
        var store = new CassetteStore(Temp.Combine("evals", "cassettes"));
        var plain = store.Load("desk/default/order-status/t1")!.Interactions;
        var streamed = store.Load("desk/streamed/order-status/t1")!.Interactions;
        Assert.Equal(["v1beta/models/gemini-2.0-flash:generateContent", "v1beta/models/gemini-2.0-flash:generateContent"], plain.Select(i => i.Request.Path));
        Assert.Equal(["v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", "v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"], streamed.Select(i => i.Request.Path));
        Assert.All([plain[1], streamed[1]], i => Assert.Equal(
            "lookup_order", i.Request.Body.GetProperty("contents")[2].GetProperty("parts")[0].GetProperty("functionResponse").GetProperty("name").GetString()));
        Assert.Contains("2/2 passed", Out.ToString(), StringComparison.Ordinal);
        // pricing.json prices gemini:gemini-2.0-flash.
        Assert.Matches(@"cost \$0\.(?!000000)[0-9]{6}", Out.ToString());
    }
}
