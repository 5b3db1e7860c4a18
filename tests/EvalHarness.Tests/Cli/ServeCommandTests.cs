using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Format;
using EvalHarness.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace EvalHarness.Tests.Cli;

/// <summary><c>evalh serve</c> as an agent in another language meets it: misses, runs repeated, its log and its limits.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private const string OrderStatus = "support/default/order-status/t1";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The request bodies of the committed cassette, as a client sends them.</summary>
    private static IReadOnlyList<string> RecordedRequests() =>
        [.. CassetteStore.Read(Path.Combine(RepoPaths.Cassettes, "support", "default", "order-status.t1.json")).Interactions.Select(i => i.Request.Body.GetRawText())];

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostAsync(Uri url, string body)
    {
        using var http = new HttpClient();
        var response = await http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response);
    }

    /// <summary>An upstream that answers every request with the same greeting.</summary>
    private static WireMockServer HelloUpstream()
    {
        var upstream = WireMockUpstream.Start();
        upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(
            """{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello."},"finish_reason":"stop"}]}"""));
        return upstream;
    }

    private static async Task<IReadOnlyList<HttpStatusCode>> RunClientAsync(ServeHost serve, string id, IEnumerable<string> requests)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var request in requests)
        {
            var logged = serve.LogLines(id).Count;
            statuses.Add((await PostAsync(new Uri(serve.V1(id), "chat/completions"), request)).Status);

            // serve logs a request once it has answered it: waiting for the line keeps the lines in the order sent.
            await serve.LogLinesAsync(id, logged + 1, Ct);
        }

        return statuses;
    }

    [Fact]
    public async Task Serve_NodeSdkWithDefaultRetries_SurfacesTheJsonPathAfterOneRequest()
    {
        var nodeModules = Path.Combine(RepoPaths.Example("node-agent"), "node_modules");
        Assert.True(Directory.Exists(Path.Combine(nodeModules, "openai")), "examples/node-agent needs `npm ci` (dotnet test runs it)");
        Directory.CreateSymbolicLink(_temp.Combine("node_modules"), nodeModules);
        // The official SDK with its default retries (2, on 408, 409, 429 and 5xx unless x-should-retry says otherwise).
        var script = _temp.Write("miss.mjs", """
            import OpenAI from "openai";
            const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: "placeholder" });
            try {
              await client.chat.completions.create(JSON.parse(process.env.BODY));
              console.log("answered");
            } catch (error) {
              console.log(`${error.status} ${error.message}`);
            }
            """);
        var changed = JsonNode.Parse(RecordedRequests()[0])!;
        changed["messages"]![0]!["content"] = "You answer at length.";
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes);

        var start = new ProcessStartInfo("node", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _temp.Path };
        start.Environment["OPENAI_BASE_URL"] = serve.V1(OrderStatus).ToString().TrimEnd('/');
        start.Environment["BODY"] = changed.ToJsonString();
        using var node = Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync(Ct);
        await node.WaitForExitAsync(Ct);

        Assert.StartsWith("422 ", output, StringComparison.Ordinal);
        Assert.Contains("interaction #1: the request differs from the recording at $.messages[0].content", output, StringComparison.Ordinal);
        Assert.Contains("evalh serve` with `--mode all --upstream <url>`", output, StringComparison.Ordinal);
        var line = Assert.Single(await serve.LogLinesAsync(OrderStatus, 1, Ct));
        Assert.Contains($" {OrderStatus} #1 miss 422 ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SameClientRunTwice_ReplaysBothTimes()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes);

        var first = await RunClientAsync(serve, OrderStatus, RecordedRequests());
        var second = await RunClientAsync(serve, OrderStatus, RecordedRequests());

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], first);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], second);
        Assert.Equal(["#1 hit", "#2 hit", "#1 hit", "#2 hit"], (await serve.LogLinesAsync(OrderStatus, 4, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
    }

    [Fact]
    public async Task Serve_NoRestart_SecondRunMisses_UntilTheCassetteIsReset()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes, "--no-restart");
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], await RunClientAsync(serve, OrderStatus, RecordedRequests()));
        Assert.Equal([HttpStatusCode.UnprocessableEntity], await RunClientAsync(serve, OrderStatus, RecordedRequests().Take(1)));

        var reset = await PostAsync(new Uri(serve.Address, $"_evalh/reset/{OrderStatus}"), string.Empty);
        var again = await RunClientAsync(serve, OrderStatus, RecordedRequests());

        Assert.Equal(HttpStatusCode.OK, reset.Status);
        Assert.Equal($$"""{"reset":"{{OrderStatus}}"}""", reset.Body);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], again);
    }

    [Fact]
    public async Task Serve_AChangedFirstRequestAfterAFinishedRun_IsDiffedAgainstTheFirst()
    {
        var changed = JsonNode.Parse(RecordedRequests()[0])!;
        changed["messages"]![1]!["content"] = "Where is order A2?";
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], await RunClientAsync(serve, OrderStatus, RecordedRequests()));

        var miss = await PostAsync(new Uri(serve.V1(OrderStatus), "chat/completions"), changed.ToJsonString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, miss.Status);
        Assert.Contains("interaction #1: the request differs from the recording at $.messages[1].content", miss.Body, StringComparison.Ordinal);
        Assert.Equal(["#1 hit", "#2 hit", "#1 miss"], (await serve.LogLinesAsync(OrderStatus, 3, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
    }

    [Fact]
    public async Task Serve_AStrayRequest_DoesNotUseUpTheInteraction()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes);
        var requests = RecordedRequests();

        var statuses = await RunClientAsync(serve, OrderStatus, [requests[0], """{"model":"gpt-4o-mini","messages":[]}""", requests[1]]);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity, HttpStatusCode.OK], statuses);
        Assert.Equal(["#1 hit", "#2 miss", "#2 hit"], (await serve.LogLinesAsync(OrderStatus, 3, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
    }

    [Fact]
    public async Task Serve_AUrlWithoutACassette_Is404SayingWhatTheBaseUrlShouldBe_AndIsLogged()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes);

        var answer = await PostAsync(new Uri(serve.Address, "v1/chat/completions"), RecordedRequests()[0]);

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Contains($"'/v1/chat/completions' is not a cassette URL: point the client's base URL at {serve.Address}c/<cassette-id>/ (for an OpenAI client {serve.Address}c/<cassette-id>/v1", answer.Body, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"cassette_request_rejected\"", answer.Body, StringComparison.Ordinal);
        Assert.Matches(new Regex(@" - - rejected 404 [0-9]+ ms\n  ✗ '/v1/chat/completions' is not a cassette URL"), (await serve.OutputWithAsync("is not a cassette URL", Ct)).Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_ResetOfACassetteThatDoesNotExist_Is404()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes);

        var reset = await PostAsync(new Uri(serve.Address, "_evalh/reset/support/default/no-such-scenario/t1"), string.Empty);

        Assert.Equal(HttpStatusCode.NotFound, reset.Status);
        Assert.Contains("Nothing was reset: there is no cassette 'support/default/no-such-scenario/t1'", reset.Body, StringComparison.Ordinal);
        Assert.Contains("  ✗ Nothing was reset: there is no cassette", await serve.OutputWithAsync("✗ Nothing was reset", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_RecordRunTwice_WithAChangedFirstRequest_KeepsOnlyTheSecondRun()
    {
        const string id = "own/default/greet/t1";
        using var upstream = HelloUpstream();
        var cassettes = _temp.Combine("cassettes");
        const string hi = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";
        const string hello = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}""";
        const string more = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"Bye"}]}""";
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.BaseAddress().ToString());

        await RunClientAsync(serve, id, [hi, more]);
        await RunClientAsync(serve, id, [hello, more]);

        var cassette = new CassetteStore(cassettes).Load(id)!;
        Assert.Equal(["Hello", "Hi"], cassette.Interactions.Select(i => i.Request.Body.GetProperty("messages")[0].GetProperty("content").GetString()));
        Assert.Equal(["#1 recorded", "#2 recorded", "#1 recorded", "#2 recorded"], (await serve.LogLinesAsync(id, 4, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
    }

    [Fact]
    public async Task Serve_RecordRunTwice_KeepsOneRunInTheCassette()
    {
        const string id = "own/default/greet/t1";
        using var upstream = HelloUpstream();
        var cassettes = _temp.Combine("cassettes");
        string[] run = ["""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Bye"}]}"""];
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.BaseAddress().ToString());

        var first = await RunClientAsync(serve, id, run);
        var second = await RunClientAsync(serve, id, run);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], first);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], second);
        var cassette = new CassetteStore(cassettes).Load(id)!;
        Assert.Equal(["Hi", "Bye"], cassette.Interactions.Select(i => i.Request.Body.GetProperty("messages")[0].GetProperty("content").GetString()));
        Assert.Equal(["#1 recorded", "#2 recorded", "#1 recorded", "#2 recorded"], (await serve.LogLinesAsync(id, 4, Ct)).Select(l => Regex.Match(l, "#[0-9]+ [a-z]+").Value));
    }

    [Fact]
    public async Task Serve_StreamedAnswerRefusedForALiveKey_IsLoggedLoudly_AndTheClientSeesAnError()
    {
        const string id = "own/default/echo/t1";
        const string azureKey = "3f9a0c1e5b7d4a2f8e6c0b1d9a7f5e3c";
        // An upstream (a debugging proxy, say) that streams the caller's Azure-style key back in its answer.
        var (app, upstream) = await LoopbackHostAccess.StartAsync(
            a => a.Map("/{**rest}", async (HttpContext c) =>
            {
                c.Response.ContentType = "text/event-stream";
                await c.Response.WriteAsync($$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"key {{c.Request.Headers["api-key"]}}"},"finish_reason":null}]}""" + "\n\ndata: [DONE]\n\n", Ct);
            }),
            Ct);
        await using var _ = app;
        var cassettes = _temp.Combine("cassettes");
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", cassettes, "--mode", "all", "--upstream", upstream.ToString());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(serve.V1(id), "chat/completions"))
        {
            Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", azureKey);

        using var response = await http.SendAsync(request, Ct);
        var stream = await response.Content.ReadAsStringAsync(Ct);

        Assert.Contains("event: error", stream, StringComparison.Ordinal);
        Assert.False(Directory.Exists(cassettes) && Directory.EnumerateFiles(cassettes, "*.json", SearchOption.AllDirectories).Any());
        var logged = (await serve.OutputWithAsync("contains the live API key", Ct)).Split('\n').SkipWhile(l => !l.Contains($" {id} #1 miss", StringComparison.Ordinal)).Take(2).ToList();
        Assert.Equal(2, logged.Count);
        Assert.StartsWith("  ✗ ", logged[1], StringComparison.Ordinal);
        Assert.Contains("contains the live API key", logged[1], StringComparison.Ordinal);
        Assert.DoesNotContain(azureKey, serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_LogsOneLinePerRequest_WithTimeCassetteInteractionOutcomeStatusAndMs()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes);

        await RunClientAsync(serve, OrderStatus, [RecordedRequests()[0], """{"model":"other"}"""]);
        await RunClientAsync(serve, "support/default/no-such-scenario/t1", ["{}"]);

        var lines = await serve.LogLinesAsync(OrderStatus, 2, Ct);
        Assert.Matches(new Regex(@"^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} support/default/order-status/t1 #1 hit 200 [0-9]+ ms$"), lines[0]);
        Assert.Matches(new Regex(@"^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} support/default/order-status/t1 #2 miss 422 [0-9]+ ms$"), lines[1]);
        Assert.Equal(2, lines.Count);
        Assert.Matches(new Regex(@" support/default/no-such-scenario/t1 #1 miss 404 [0-9]+ ms$"), Assert.Single(await serve.LogLinesAsync("support/default/no-such-scenario/t1", 1, Ct)));
    }

    [Fact]
    public async Task Serve_BodyOverTheLimit_Is413WithTheLimit()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes, "--max-body-mb", "0.01");
        var large = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{new string('x', 20_000)}}"}]}""";

        var declared = await PostAsync(new Uri(serve.V1(OrderStatus), "chat/completions"), large);
        using var http = new HttpClient();
        // Chunked: no length declared, the limit is met while reading.
        using var chunked = await http.PostAsync(new Uri(serve.V1(OrderStatus), "chat/completions"),
            new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(large))) { Headers = { ContentType = new("application/json") } }, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.Status);
        Assert.Contains("larger than the cassette server's limit of 0.01 MB", declared.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Contains("--max-body-mb", await chunked.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(["false", "false"], [declared.Response.Headers.GetValues("x-should-retry").Single(), chunked.Headers.GetValues("x-should-retry").Single()]);
    }

    [Fact]
    public async Task Serve_BodyThatStalls_Is408()
    {
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", RepoPaths.Cassettes, "--body-timeout-s", "0.2");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, serve.Address.Port, Ct);

        // The headers promise 100 bytes; one arrives, then nothing.
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /c/{OrderStatus}/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"), Ct);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        while (!answer.ToString().Contains("}}", StringComparison.Ordinal) && await socket.ReceiveAsync(buffer, Ct) is var n and > 0)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        Assert.StartsWith("HTTP/1.1 408 ", answer.ToString(), StringComparison.Ordinal);
        Assert.Contains("did not arrive within 0.2 s", answer.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/x.t1", "would share its file (a/x.t1.json) with 'a/x/t1'")]
    [InlineData("suite/v/<250 characters>/t1", "at most 200 are allowed")]
    public async Task Serve_InvalidCassetteId_Is400WithWhy(string id, string why)
    {
        id = id.Replace("<250 characters>", new string('a', 250), StringComparison.Ordinal);
        await using var serve = await ServeHost.StartAsync(Ct, "--cassettes", _temp.Path, "--mode", "once", "--upstream", "http://127.0.0.1:9/");

        var answer = await PostAsync(new Uri(serve.V1(id), "chat/completions"), "{}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(why, answer.Body, StringComparison.Ordinal);
        var output = await serve.OutputWithAsync(why, Ct);
        Assert.Contains($"  ✗ '/c/", output, StringComparison.Ordinal);
        Assert.Contains(why, output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    /// <summary>A stream that cannot tell its length, so HttpClient sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
