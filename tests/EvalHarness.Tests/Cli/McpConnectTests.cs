using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// <c>evalh mcp connect &lt;url&gt;</c>, the stdio-to-streamable-HTTP bridge, driven as agents drive it: by the official
/// C# MCP client over stdio, and line by line over its stdin and stdout, against a real MCP server on Kestrel.
/// </summary>
public sealed class McpConnectTests(InventoryMcpServer server) : CliTest, IClassFixture<InventoryMcpServer>
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"line-client","version":"1.0"}}}""";

    /// <summary>The evalh built beside the tests, run as an agent's MCP config runs it.</summary>
    private static string EvalhDll => Path.Combine(AppContext.BaseDirectory, "evalh.dll");

    [Fact(Timeout = 120_000)]
    public async Task Connect_OfficialStdioClient_ListsAndCallsToolOnHttpServer()
    {
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "inventory",
            Command = "dotnet",
            Arguments = [EvalhDll, "mcp", "connect", server.Endpoint.ToString()],
        }), cancellationToken: Ct);

        var tools = await client.ListToolsAsync(cancellationToken: Ct);
        Assert.Equal(["check_stock", "stock_location"], tools.Select(t => t.Name).Order());

        var result = await client.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = "MUG-01" }, cancellationToken: Ct);

        Assert.Equal("""{"sku":"MUG-01","in_stock":3}""", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Contains("MUG-01", server.Skus);
    }

    [Fact(Timeout = 120_000)]
    public async Task Connect_ServerNotifiesProgressDuringCall_WritesTheNotificationBeforeTheAnswer()
    {
        // Read line by line: an SDK client may drop a progress notification it processes after the call's answer, so
        // only the order on stdout says what the bridge did.
        using var bridge = new Bridge(server.Endpoint.ToString());
        await bridge.StandardInput.WriteLineAsync(Initialize);
        Assert.Equal(1, JsonNode.Parse((await bridge.StandardOutput.ReadLineAsync(Ct))!)!["id"]!.GetValue<int>());
        await bridge.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await bridge.StandardInput.WriteLineAsync(
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"check_stock","arguments":{"sku":"MUG-01"},"_meta":{"progressToken":"p-7"}}}""");

        var lines = new List<JsonNode>();
        while (lines.Count == 0 || lines[^1]["id"]?.GetValue<int>() != 2)
        {
            lines.Add(JsonNode.Parse((await bridge.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct))!)!);
        }

        var progress = Assert.Single(lines, l => l["method"]?.GetValue<string>() == "notifications/progress");
        Assert.Equal("p-7", progress["params"]!["progressToken"]!.GetValue<string>());
        Assert.Equal("counted MUG-01", progress["params"]!["message"]!.GetValue<string>());
        Assert.Equal("""{"sku":"MUG-01","in_stock":3}""", lines[^1]["result"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact(Timeout = 120_000)]
    public async Task Connect_ServerAsksClientDuringCall_RelaysItsRequestAndTheAnswer()
    {
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [EvalhDll, "mcp", "connect", server.Endpoint.ToString()],
        }), new McpClientOptions
        {
            Handlers = new McpClientHandlers
            {
                ElicitationHandler = (request, _) => ValueTask.FromResult(new ElicitResult
                {
                    Action = "accept",
                    Content = new Dictionary<string, JsonElement>
                    {
                        ["warehouse"] = JsonSerializer.SerializeToElement(request!.Message.Contains("MUG-01", StringComparison.Ordinal) ? "north" : "unknown"),
                    },
                }),
            },
        }, cancellationToken: Ct);

        var result = await client.CallToolAsync("stock_location", new Dictionary<string, object?> { ["sku"] = "MUG-01" }, cancellationToken: Ct);

        Assert.Equal("north", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
    }

    [Fact(Timeout = 120_000)]
    public async Task Connect_HeaderWithVariable_SendsItsValueOnEveryRequest()
    {
        await using (var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [EvalhDll, "mcp", "connect", server.Endpoint.ToString(), "--header", "X-Inventory-Key: ${EVALH_TEST_INVENTORY_KEY}"],
            EnvironmentVariables = new Dictionary<string, string?> { ["EVALH_TEST_INVENTORY_KEY"] = "key-from-env-4711" },
        }), cancellationToken: Ct))
        {
            await client.CallToolAsync("check_stock", new Dictionary<string, object?> { ["sku"] = "KEY-01" }, cancellationToken: Ct);
        }

        Assert.Contains("key-from-env-4711", server.Keys);
        Assert.DoesNotContain(server.Keys, k => k.Contains("${", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task Connect_StdinClosesWhileCallPending_WritesTheAnswerThenExitsZero()
    {
        var hold = new InventoryMcpServer.CallHold();
        server.Hold = hold;
        try
        {
            using var bridge = new Bridge(server.Endpoint.ToString());
            await bridge.StandardInput.WriteLineAsync(Initialize);
            Assert.Equal(1, JsonNode.Parse((await bridge.StandardOutput.ReadLineAsync(Ct))!)!["id"]!.GetValue<int>());
            await bridge.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
            await bridge.StandardInput.WriteLineAsync(
                """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"check_stock","arguments":{"sku":"HELD-7"}}}""");

            // The call is at the server, its answer not yet sent, when the client closes stdin.
            Assert.Equal("HELD-7", await hold.Entered.Task.WaitAsync(Ct));
            bridge.StandardInput.Close();
            hold.Released.SetResult();

            var rest = await bridge.StandardOutput.ReadToEndAsync(Ct);
            await bridge.WaitForExitAsync(Ct);

            Assert.Equal(0, bridge.ExitCode);
            var answer = JsonNode.Parse(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!;
            Assert.Equal(2, answer["id"]!.GetValue<int>());
            Assert.Equal("""{"sku":"HELD-7","in_stock":3}""", answer["result"]!["content"]![0]!["text"]!.GetValue<string>());
        }
        finally
        {
            server.Hold = null;
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Connect_NotAnHttpUrl_ExitsTwoNamingTheUrl()
    {
        Assert.Equal(2, await Evalh("mcp", "connect", "localhost:3000/mcp"));

        Assert.Contains("'localhost:3000/mcp' is not an absolute http(s) URL", Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("evalh mcp connect \"$EVALH_MCP_INVENTORY_URL\"", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Connect_EndpointRefusesFirstMessage_AnswersEveryRequestWithErrorAndExitsTwoWhenStdinCloses()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}/c/support-t1/mcp/inventory";
        using var bridge = new Bridge(url);
        await bridge.StandardInput.WriteLineAsync(Initialize);
        var answer = JsonNode.Parse((await bridge.StandardOutput.ReadLineAsync(Ct))!)!;

        // Still a stdio server: a client that tries again (as the SDKs fall back from server/discover) is answered too.
        await bridge.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":"again","method":"ping"}""");
        var again = JsonNode.Parse((await bridge.StandardOutput.ReadLineAsync(Ct))!)!;
        bridge.StandardInput.Close();
        var stderr = await bridge.StandardError.ReadToEndAsync(Ct);
        await bridge.WaitForExitAsync(Ct);

        Assert.Equal(2, bridge.ExitCode);
        Assert.Equal(1, answer["id"]!.GetValue<int>());
        Assert.Contains(url, answer["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("again", again["id"]!.GetValue<string>());
        Assert.Contains($"the MCP endpoint {url} failed ping", again["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"error: cannot connect to the MCP endpoint {url}", stderr, StringComparison.Ordinal);
        Assert.Contains("EVALH_MCP_<NAME>_URL", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Connect_EndpointRefuses_OfficialClientShowsTheUrl()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}/mcp";
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [EvalhDll, "mcp", "connect", url],
        }), cancellationToken: Ct));

        // The client reads the bridge's error answer to initialize (after its server/discover was answered the same way).
        Assert.Contains($"the MCP endpoint {url}", thrown.Message, StringComparison.Ordinal);
    }

    /// <summary>The bridge as a process of its own, its stdin, stdout and stderr the test's; stopped with the test if it still runs.</summary>
    private sealed class Bridge : IDisposable
    {
        private readonly Process _process;

        public Bridge(string url)
        {
            _process = Process.Start(new ProcessStartInfo("dotnet", [EvalhDll, "mcp", "connect", url])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardInputEncoding = new UTF8Encoding(false),
            })!;
            _process.StandardInput.AutoFlush = true;
        }

        public StreamWriter StandardInput => _process.StandardInput;

        public StreamReader StandardOutput => _process.StandardOutput;

        public StreamReader StandardError => _process.StandardError;

        public int ExitCode => _process.ExitCode;

        public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
