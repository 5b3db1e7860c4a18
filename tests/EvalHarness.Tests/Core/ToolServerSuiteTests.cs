using EvalHarness.Cassettes.Format;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>An agent's tool servers in a suite (<c>agent.mcp</c>, <c>agent.http</c>): read, checked, and their variables expanded.</summary>
public sealed class ToolServerSuiteTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Suite Parse(string agent) => SuiteLoader.Parse(_temp.Combine("shop.yaml"), $$"""
        suite: shop
        agent:
        {{agent}}
        scenarios: [{ name: s, input: hi }]
        """);

    [Fact]
    public void Parse_McpAndHttpServers_ReadsEveryFormAndExpandsVariables()
    {
        var variable = $"EVALH_TEST_TOKEN_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "tok-123456");
        try
        {
            var servers = Parse($$"""
                  command: [node, agent.mjs]
                  mcp:
                    inventory: { command: [node, inventory-server.mjs], env: { INVENTORY_API_KEY: "${{{variable}}}" }, per: run, timeout_s: 5 }
                    docs: { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ${{{variable}}}" } }
                  http:
                    prices: "${EVALH_TEST_UNSET_{{Guid.NewGuid():N}}:-http://127.0.0.1:5081}"
                    stock: { url: "https://stock.example.com/v1", headers: { x-api-key: "${EVALH_TEST_NEVER_SET}" } }
                """).Variants[0].Agent.ToolServers;

            var inventory = servers.Single(s => s.Name == "inventory");
            Assert.Equal((ToolKinds.Mcp, true, TimeSpan.FromSeconds(5)), (inventory.Kind, inventory.PerRun, inventory.Timeout));
            Assert.Equal(["node", "inventory-server.mjs"], inventory.Command);
            Assert.Equal(_temp.Path, inventory.WorkingDirectory);
            Assert.Contains("tok-123456", inventory.SecretValues); // a credential-named env value never reaches a cassette
            Assert.Equal("Bearer tok-123456", servers.Single(s => s.Name == "docs").Headers["authorization"]);
            Assert.Equal(new Uri("http://127.0.0.1:5081"), servers.Single(s => s.Name == "prices").Url);
            // An unset variable is not an error at load: a replay needs no token; a recording says which to set.
            Assert.Equal(["EVALH_TEST_NEVER_SET"], servers.Single(s => s.Name == "stock").Unset);
            Assert.Equal("EVALH_MCP_INVENTORY_URL", inventory.VariableName);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData("  mcp: { inventory: { command: [node, s.mjs], url: \"http://x/mcp\" } }", "mcp.inventory needs either command", 4)]
    [InlineData("  mcp: { inventory: { url: \"http://x/mcp\", per: run } }", "per: run is for a stdio server", 4)]
    [InlineData("  mcp: { \"in ventory\": { command: [node] } }", "'in ventory' is not a usable mcp server name", 4)]
    [InlineData("  http: { prices: \"ftp://x\" }", "http.prices is 'ftp://x': give an absolute http:// or https:// URL", 4)]
    [InlineData("  mcp: { inventory: { command: [node, s.mjs], pre: run } }", "'pre'", 4)]
    public void Parse_ABadToolServer_NamesTheLineAndWhatToDo(string block, string message, int line)
    {
        var error = Assert.Throws<SuiteException>(() => Parse("  command: [node, agent.mjs]\n" + block));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains($"shop.yaml:{line}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BuiltInToolsNameAnMcpServerTheAgentLacks_IsAnErrorNamingAgentMcp()
    {
        var error = Assert.Throws<SuiteException>(() => Parse("""
              model: openai:gpt-4o-mini
              system_prompt: hi
              tools: [mcp:inventory]
            """));

        Assert.Contains("'mcp:inventory' names an MCP server, but the agent names none: add agent.mcp.inventory", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call: { mcp: units, tool: convert_temperature, args: { celsius: 0, to: kelvin } }", null)]
    [InlineData("call: { http: weather, get: \"weather?city=Oslo\" }", null)]
    [InlineData("call: { mcp: stock, tool: count }", "call.mcp: 'stock' is not one of agent.mcp (units)")]
    [InlineData("call: { http: units, get: /x }", "call.http: 'units' is not one of agent.http (weather)")]
    [InlineData("call: { mcp: units, get: /x }", "'get' is for an HTTP API; an MCP call takes tool and args")]
    [InlineData("call: { http: weather, get: /x, post: /y }", "needs one method and path")]
    [InlineData("input: hi\n    call: { mcp: units, tool: t }", "calls a tool directly (call), so it has no input")]
    public void Parse_ToolCheckScenario_ReadsTheCallOrNamesTheMistake(string scenario, string? error)
    {
        var yaml = $$"""
            suite: shop
            agent:
              command: [node, agent.mjs]
              mcp: { units: { command: [node, units-server.mjs] } }
              http: { weather: "http://127.0.0.1:5081" }
            scenarios:
              - name: check
                {{scenario}}
            """;
        if (error is null)
        {
            var call = SuiteLoader.Parse(_temp.Combine("shop.yaml"), yaml).Scenarios[0].Call!;
            Assert.Equal(scenario.Contains("mcp", StringComparison.Ordinal) ? "units.convert_temperature" : "weather GET /weather", call.Name);
            return;
        }

        Assert.Contains(error, Assert.Throws<SuiteException>(() => SuiteLoader.Parse(_temp.Combine("shop.yaml"), yaml)).Message, StringComparison.Ordinal);
    }
}
