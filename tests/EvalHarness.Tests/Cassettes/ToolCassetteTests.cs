using System.Net;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Server;
using EvalHarness.Cassettes.Tools;
using EvalHarness.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// An agent's tool servers through the cassette server: a real MCP server (the official C# SDK, streamable HTTP) and a
/// real HTTP API on Kestrel, reached by the official MCP client and an HttpClient, recorded, then replayed with both
/// servers stopped.
/// </summary>
public sealed class ToolCassetteTests : IDisposable
{
    private const string Case = "shop/default/stock/t1";
    private const string PlantedKey = "inv-key-5f1e2d3c4b5a69788796a5b4";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<CassetteServer> StartAsync(RecordMode mode, IReadOnlyList<ToolServer> tools) =>
        CassetteServer.StartAsync(new CassetteServerOptions
        {
            CassetteDirectory = _temp.Path,
            Mode = mode,
            Upstream = mode == RecordMode.None ? null : "http://127.0.0.1:9/",
            ToolServers = tools,
        }, Ct);

    private static async Task<McpClient> ConnectAsync(CassetteServer server) =>
        await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(server.BaseAddressFor(Case), "mcp/inventory") }), cancellationToken: Ct);

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    /// <summary>What the agent's tools do in one case: a stock check over MCP and a price over HTTP.</summary>
    private static async Task<(string Stock, string Price)> UseToolsAsync(CassetteServer server, string sku = "MUG-01")
    {
        await using var mcp = await ConnectAsync(server);
        var stock = Text(await mcp.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = sku }, cancellationToken: Ct));
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseAddressFor(Case), "http/prices/") };
        var price = await http.GetStringAsync($"price?sku={sku}&token=t0k3n-abc123", Ct);
        return (stock, price);
    }

    private Cassette Recorded() => new CassetteStore(_temp.Path).Load(Case)!;

    [Fact]
    public async Task RecordThenReplay_WithTheServersStopped_GivesWhatTheToolsGaveAndReachesNothing()
    {
        (string Stock, string Price) recorded;
        await using (var real = await RealToolServers.StartAsync(Ct))
        {
            await using var recorder = await StartAsync(RecordMode.All, real.Config(PlantedKey));
            recorded = await UseToolsAsync(recorder);
            var activity = await recorder.TakeActivityAsync(Case, Ct);
            Assert.Empty(activity.Misses);
            Assert.Contains(activity.Tools, t => t.Exchange.Request.Method == "tools/call");
            Assert.Equal(PlantedKey, real.KeyHeaderSeen); // the configured header reached the real API
        }

        Assert.Equal("""{"sku":"MUG-01","in_stock":3}""", recorded.Stock);
        // The key the suite sends in the API's header reached the API, and never the file.
        Assert.DoesNotContain(PlantedKey, await File.ReadAllTextAsync(new CassetteStore(_temp.Path).PathFor(Case), Ct), StringComparison.Ordinal);
        var tools = Recorded().Tools!;
        // The C# SDK 2.4 client opens with server/discover where the server offers it (the 2026 handshake), else initialize.
        Assert.Equal(["server/discover", "tools/call", "GET"], tools.Select(t => t.Request.Method));
        Assert.Equal("""{"sku":"MUG-01","in_stock":3}""", tools[1].Response.Body!.Value.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("/price?sku=MUG-01&token=[scrubbed]", tools.Single(t => t.Kind == ToolKinds.Http).Request.Path);

        // Both servers are gone: the replay answers from the cassette.
        await using var replayer = await StartAsync(RecordMode.None, [
            new ToolServer { Name = "inventory", Kind = ToolKinds.Mcp, Url = new Uri("http://127.0.0.1:9/mcp") },
            new ToolServer { Name = "prices", Kind = ToolKinds.Http, Url = new Uri("http://127.0.0.1:9/v2") },
        ]);
        var replayed = await UseToolsAsync(replayer);
        var replay = await replayer.TakeActivityAsync(Case, Ct);
        Assert.Empty(replay.Misses);
        Assert.Equal(recorded, replayed);
        Assert.Equal(tools.Count(t => t.Response.Status != 202), replay.Tools.Count);
    }

    [Fact]
    public async Task Replay_AnotherArgument_IsAMissNamingTheToolAndThePath()
    {
        await using (var real = await RealToolServers.StartAsync(Ct))
        {
            await using var recorder = await StartAsync(RecordMode.All, real.Config(PlantedKey));
            await UseToolsAsync(recorder);
            await recorder.TakeActivityAsync(Case, Ct);
        }

        await using var replayer = await StartAsync(RecordMode.None, [new ToolServer { Name = "inventory", Kind = ToolKinds.Mcp, Url = new Uri("http://127.0.0.1:9/mcp") }]);
        await using var mcp = await ConnectAsync(replayer);
        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await mcp.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = "MUG-02" }, cancellationToken: Ct));

        var miss = Assert.Single((await replayer.TakeActivityAsync(Case, Ct)).Misses);
        Assert.Contains("tools/call inventory.check_stock: $.params.arguments.sku: recorded \"MUG-01\", got \"MUG-02\"", miss.Message, StringComparison.Ordinal);
        Assert.Contains("$.params.arguments.sku", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_PlantedKeysInAHeaderAndAQuery_NeverReachTheCassette()
    {
        await using var real = await RealToolServers.StartAsync(Ct);
        await using var recorder = await StartAsync(RecordMode.All, real.Config(PlantedKey));
        using var http = new HttpClient { BaseAddress = new Uri(recorder.BaseAddressFor(Case), "http/prices/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"price?sku=MUG-01&apikey={PlantedKey}");
        request.Headers.Add("Authorization", "Bearer sk-agent-own-0123456789abcdef");
        using var answer = await http.SendAsync(request, Ct);

        // The API echoes the key from the query into its body: writing that would leak it, so nothing is written.
        var miss = Assert.Single((await recorder.TakeActivityAsync(Case, Ct)).Misses);
        Assert.Contains("Refused to write", miss.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(new CassetteStore(_temp.Path).PathFor(Case)));
        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
    }

    [Fact]
    public async Task Record_ToolErrorsAndATimeOut_ReplayTheSame()
    {
        string[] recorded;
        await using (var real = await RealToolServers.StartAsync(Ct))
        {
            real.ApiDelay = TimeSpan.FromSeconds(5);
            await using var recorder = await StartAsync(RecordMode.All, real.Config(PlantedKey, timeout: TimeSpan.FromMilliseconds(300)));
            recorded = await FailuresAsync(recorder);
            Assert.Empty((await recorder.TakeActivityAsync(Case, Ct)).Misses);
        }

        Assert.Contains(Recorded().Tools!, t => t.Response.Fault == "timeout" && t.Response.Status == 504);
        Assert.Contains(Recorded().Tools!, t => t.Response.Fault == "timeout" && t.Request.Method == "tools/call");
        await using var replayer = await StartAsync(RecordMode.None, [
            new ToolServer { Name = "inventory", Kind = ToolKinds.Mcp, Url = new Uri("http://127.0.0.1:9/mcp") },
            new ToolServer { Name = "prices", Kind = ToolKinds.Http, Url = new Uri("http://127.0.0.1:9/v2") },
        ]);
        Assert.Equal(recorded, await FailuresAsync(replayer));
        Assert.Empty((await replayer.TakeActivityAsync(Case, Ct)).Misses);
    }

    /// <summary>A tool that fails (an MCP error result), an API that answers 503, one that does not answer in time, and a tool that does not either.</summary>
    private static async Task<string[]> FailuresAsync(CassetteServer server)
    {
        await using var mcp = await ConnectAsync(server);
        var reserve = await mcp.CallToolAsync("reserve", new Dictionary<string, object?> { ["sku"] = "BAD" }, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseAddressFor(Case), "http/prices/") };
        using var broken = await http.GetAsync("broken", Ct);
        using var slow = await http.GetAsync("price?sku=SLOW", Ct);
        var recount = await Assert.ThrowsAsync<McpProtocolException>(async () => await mcp.CallToolAsync("recount", new Dictionary<string, object?> { ["sku"] = "MUG-01" }, cancellationToken: Ct));
        return
        [
            $"{reserve.IsError}: {Text(reserve)}",
            recount.Message,
            $"{(int)broken.StatusCode}: {await broken.Content.ReadAsStringAsync(Ct)}",
            $"{(int)slow.StatusCode}: {await slow.Content.ReadAsStringAsync(Ct)}",
        ];
    }

    private static ToolServer Counter(bool perRun, string? key = null) => new()
    {
        Name = "inventory",
        Kind = ToolKinds.Mcp,
        Command = ["node", Path.Combine(RepoPaths.Root, "tests", "node-clients", "counter-mcp-server.mjs")],
        Env = key is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["INVENTORY_API_KEY"] = key },
        PerRun = perRun,
    };

    private static async Task<string> CallAsync(CassetteServer server, string caseId, string tool, Dictionary<string, object?>? args = null)
    {
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(server.BaseAddressFor(caseId), "mcp/inventory") }), cancellationToken: Ct);
        return Text(await client.CallToolAsync(tool, args ?? [], cancellationToken: Ct));
    }

    [Theory]
    [InlineData(false, "b: 1")]
    [InlineData(true, "b: 2")]
    public async Task Record_StdioServerPerCaseOrPerRun_EachCaseGetsItsOwnServerUnlessTheSuiteSaysRun(bool perRun, string second)
    {
        await using var recorder = await StartAsync(RecordMode.All, [Counter(perRun)]);

        Assert.Equal("a: 1", await CallAsync(recorder, "shop/default/a/t1", "count", new() { ["label"] = "a" }));
        Assert.Equal(second, await CallAsync(recorder, "shop/default/b/t1", "count", new() { ["label"] = "b" }));
        Assert.Empty((await recorder.TakeActivityAsync("shop/default/a/t1", Ct)).Misses);
        Assert.Empty((await recorder.TakeActivityAsync("shop/default/b/t1", Ct)).Misses);
        // Each case's cassette holds its own handshake, answered once by a shared server.
        Assert.All(new[] { "a", "b" }, c => Assert.Contains(new CassetteStore(_temp.Path).Load($"shop/default/{c}/t1")!.Tools!, t => t.Request.Method is "initialize" or "server/discover"));
    }

    [Fact]
    public async Task Record_APlantedKeyInAStdioServersEnv_NeverReachesTheCassette()
    {
        const string Planted = "inv-live-9f8e7d6c5b4a3210fedcba98";
        await using var recorder = await StartAsync(RecordMode.All, [Counter(perRun: false, key: Planted)]);

        // The server uses its key without showing it: recorded, and the env is not part of the recording.
        Assert.Equal("a: 1", await CallAsync(recorder, Case, "count", new() { ["label"] = "a" }));
        var file = new CassetteStore(_temp.Path).PathFor(Case);
        Assert.DoesNotContain(Planted, await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);

        // The server shows its key in an answer: the write is refused, and that exchange is not in the file.
        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await CallAsync(recorder, Case, "whoami"));
        Assert.Contains("Refused to write", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Planted, await File.ReadAllTextAsync(file, Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(new CassetteStore(_temp.Path).Load(Case)!.Tools!, t => ToolMatcher.ToolName(t.Request) == "whoami");
        Assert.Contains((await recorder.TakeActivityAsync(Case, Ct)).Misses, m => m.Message.Contains("Refused to write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewEpisodes_ReplaysWhatIsRecordedAndRecordsOnlyTheNewToolCall()
    {
        await using var real = await RealToolServers.StartAsync(Ct);
        await using (var recorder = await StartAsync(RecordMode.All, real.Config(PlantedKey)))
        {
            await using var mcp = await ConnectAsync(recorder);
            Assert.Equal("""{"sku":"MUG-01","in_stock":3}""", Text(await mcp.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = "MUG-01" }, cancellationToken: Ct)));
            await recorder.TakeActivityAsync(Case, Ct);
        }

        real.InStock = 2;
        await using var episodes = await StartAsync(RecordMode.NewEpisodes, real.Config(PlantedKey));
        await using (var mcp = await ConnectAsync(episodes))
        {
            // The recorded call is replayed (the old stock); the new one reaches the server and is recorded.
            Assert.Equal("""{"sku":"MUG-01","in_stock":3}""", Text(await mcp.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = "MUG-01" }, cancellationToken: Ct)));
            Assert.Equal("""{"sku":"MUG-02","in_stock":2}""", Text(await mcp.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = "MUG-02" }, cancellationToken: Ct)));
        }

        Assert.Empty((await episodes.TakeActivityAsync(Case, Ct)).Misses);
        Assert.Equal(["MUG-01", "MUG-02"], Recorded().Tools!.Where(t => t.Request.Method == "tools/call").Select(t => t.Request.Body.GetProperty("params").GetProperty("arguments").GetProperty("sku").GetString()));
    }

    [Fact]
    public async Task NewEpisodes_AStdioServerStartedForTheNewCall_GetsTheReplayedHandshakeFirst()
    {
        await using (var recorder = await StartAsync(RecordMode.All, [Counter(perRun: false)]))
        {
            Assert.Equal("a: 1", await CallAsync(recorder, Case, "count", new() { ["label"] = "a" }));
            await recorder.TakeActivityAsync(Case, Ct);
        }

        await using var episodes = await StartAsync(RecordMode.NewEpisodes, [Counter(perRun: false)]);
        await using (var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(episodes.BaseAddressFor(Case), "mcp/inventory") }), cancellationToken: Ct))
        {
            Assert.Equal("a: 1", Text(await client.CallToolAsync("count", new Dictionary<string, object?> { ["label"] = "a" }, cancellationToken: Ct)));
            // A fresh server, started for this call alone: it answers as a server that was greeted does.
            Assert.Equal("b: 1", Text(await client.CallToolAsync("count", new Dictionary<string, object?> { ["label"] = "b" }, cancellationToken: Ct)));
        }

        Assert.Empty((await episodes.TakeActivityAsync(Case, Ct)).Misses);
    }

    [Fact]
    public async Task NewEpisodes_AServerThatCannotStart_IsAMissWithItsErrorAndNothingIsRecorded()
    {
        await using (var recorder = await StartAsync(RecordMode.All, [Counter(perRun: false)]))
        {
            Assert.Equal("a: 1", await CallAsync(recorder, Case, "count", new() { ["label"] = "a" }));
            await recorder.TakeActivityAsync(Case, Ct);
        }

        var before = await File.ReadAllTextAsync(new CassetteStore(_temp.Path).PathFor(Case), Ct);
        var gone = Counter(perRun: false) with { Command = ["node", _temp.Combine("no-such-server.mjs")] };
        await using var episodes = await StartAsync(RecordMode.NewEpisodes, [gone]);
        await using (var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(episodes.BaseAddressFor(Case), "mcp/inventory") }), cancellationToken: Ct))
        {
            await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("count", new Dictionary<string, object?> { ["label"] = "b" }, cancellationToken: Ct));
        }

        var miss = Assert.Single((await episodes.TakeActivityAsync(Case, Ct)).Misses);
        Assert.Contains("closed the connection before it answered; it wrote:", miss.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-server.mjs", miss.Message, StringComparison.Ordinal); // node's own error, from its stderr
        Assert.Contains("Nothing was recorded; check the suite's agent.mcp.inventory.", miss.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(new CassetteStore(_temp.Path).PathFor(Case), Ct));
    }

    /// <summary>The official C# client over stdio, through <c>evalh mcp connect</c> to the case's endpoint, as a stdio-only agent reaches it.</summary>
    private static async Task<string> CallThroughBridgeAsync(CassetteServer server)
    {
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "inventory",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "evalh.dll"), "mcp", "connect", new Uri(server.BaseAddressFor(Case), "mcp/inventory").ToString()],
        }), cancellationToken: Ct);
        return Text(await client.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = "MUG-01" }, cancellationToken: Ct));
    }

    [Fact]
    public async Task McpConnect_AStdioOnlyClientThroughTheBridge_RecordsAndReplaysWithTheServerStopped()
    {
        string recorded;
        await using (var real = await RealToolServers.StartAsync(Ct))
        {
            await using var recorder = await StartAsync(RecordMode.All, real.Config(PlantedKey));
            recorded = await CallThroughBridgeAsync(recorder);
            Assert.Empty((await recorder.TakeActivityAsync(Case, Ct)).Misses);
        }

        await using var replayer = await StartAsync(RecordMode.None, [new ToolServer { Name = "inventory", Kind = ToolKinds.Mcp, Url = new Uri("http://127.0.0.1:9/mcp") }]);
        Assert.Equal("""{"sku":"MUG-01","in_stock":3}""", recorded);
        Assert.Equal(recorded, await CallThroughBridgeAsync(replayer));
        Assert.Empty((await replayer.TakeActivityAsync(Case, Ct)).Misses);
    }
}
