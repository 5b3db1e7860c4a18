using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>
/// The built-in runtime with <c>tools: [mcp:inventory]</c>: the official MCP client lists and calls the server's tools
/// through the case's endpoint; recorded from a real server, replayed with it stopped.
/// </summary>
public sealed class McpToolsTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Suite Suite(Uri mcpUrl)
    {
        _temp.Write("scripts/stock.yaml", """
            default:
              mug:
                - tools: [{ check_stock: { sku: MUG-01 } }]
                - text: "There are 3 mugs in stock."
            """);
        return SuiteLoader.Load(_temp.Write("stock.yaml", $$"""
            suite: stock
            agent:
              model: "openai:gpt-4o-mini"
              system_prompt: "Check the stock with check_stock."
              tools: [mcp:inventory/check_stock]
              mcp:
                inventory: { url: "{{mcpUrl}}" }
            scenarios:
              - name: mug
                input: "How many MUG-01 are in stock?"
                expect:
                  output: { contains: ["3 mugs"] }
                  tools: { called: [{ name: inventory.check_stock, args: { sku: MUG-01 } }] }
            """));
    }

    /// <summary>Records the suite from its script, with the real MCP server running; it is stopped when this returns.</summary>
    private async Task<(Suite Suite, RunResult Run)> RecordAsync()
    {
        await using var real = await RealToolServers.StartAsync(Ct);
        var suite = Suite(real.McpUrl);
        var book = ScriptBook.Load(ScriptBook.DefaultPathFor(suite), suite);
        await using var upstream = await ScriptedUpstream.StartAsync((id, prompt) => book.Find(id, prompt), Ct);
        return (suite, await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = _temp.Path, Mode = RecordMode.All, Upstream = upstream.UpstreamTemplate, RecordedFrom = "scripted" }, Ct));
    }

    [Fact]
    public async Task RecordThenReplay_BuiltInRuntimeWithAnMcpServer_CallsItsToolAndReplaysWithTheServerStopped()
    {
        var (suite, recorded) = await RecordAsync();

        var mug = Assert.Single(recorded.Cases);
        Assert.True(mug.Passed, mug.Error ?? string.Join("; ", mug.Verdicts.Where(v => !v.Passed).Select(v => v.Reason)));
        var call = Assert.Single(mug.ToolCalls);
        Assert.Equal("inventory.check_stock", call.Tool);
        Assert.Contains("""{\"sku\":\"MUG-01\",\"in_stock\":3}""", call.Result, StringComparison.Ordinal);

        var replayed = Assert.Single((await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = _temp.Path }, Ct)).Cases);
        Assert.True(replayed.Passed, replayed.Error);
        Assert.Equal(call.Result, Assert.Single(replayed.ToolCalls).Result);
    }

    [Fact]
    public async Task Replay_TheToolTrafficNoLongerMatches_IsAnInputErrorNamingTheArgument()
    {
        var (suite, _) = await RecordAsync();

        // The recording asked for another SKU than the run now does: the tool traffic no longer matches.
        var file = new CassetteStore(_temp.Path).PathFor("stock/default/mug/t1");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!;
        var toolsCall = json["tools"]!.AsArray().Single(t => (string?)t!["request"]!["method"] == "tools/call")!;
        toolsCall["request"]!["body"]!["params"]!["arguments"]!["sku"] = "MUG-02";
        await File.WriteAllTextAsync(file, json.ToJsonString(), Ct);

        var run = await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = _temp.Path }, Ct);

        var mug = Assert.Single(run.Cases);
        Assert.Contains("tools/call inventory.check_stock: $.params.arguments.sku: recorded \"MUG-02\", got \"MUG-01\"", mug.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InputError, ExitCodes.For(run));
    }
}
