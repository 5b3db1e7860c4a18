using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Core.Application;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Xunit;

/// <summary>
/// The C# example (examples/dotnet-agent) with its rates MCP server: the agent reaches it with the official MCP client
/// over streamable HTTP at <c>AgentCase.McpServers["rates"]</c>. Recorded from the scripted model with the real server
/// (a stdio process the harness starts), then replayed with the server's files removed.
/// </summary>
public sealed class DotnetMcpExampleTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public DotnetMcpExampleTests()
    {
        // The example as a team has it: its suite, its script, the built agent and the built server (not its cassettes).
        var example = RepoPaths.Example("dotnet-agent");
        File.Copy(Path.Combine(example, "suite.yaml"), _temp.Combine("suite.yaml"));
        RepoPaths.CopyTree(Path.Combine(example, "scripts"), _temp.Combine("scripts"));
        RepoPaths.CopyTree(Path.Combine(example, "bin"), _temp.Combine("bin"));
        RepoPaths.CopyTree(Path.Combine(example, "RatesServer", "bin"), _temp.Combine("RatesServer", "bin"));
    }

    public void Dispose() => _temp.Dispose();

    private string Suite => _temp.Combine("suite.yaml");

    private string CassetteDirectory => _temp.Combine("cassettes");

    private Task<SuiteEvaluationResult> RunAsync(string? upstream = null) => Evaluation.RunAsync(
        Suite,
        new EvaluationOptions { CassetteDirectory = CassetteDirectory, ReportsDirectory = _temp.Combine("reports"), Upstream = upstream },
        Ct);

    private Cassette Recorded(string scenario) => new CassetteStore(CassetteDirectory).Load($"dotnet-agent/default/{scenario}/t1")!;

    private static string Failures(CaseResult c) =>
        $"{c.CassetteId}: {c.Error} {string.Join("; ", c.Verdicts.Where(v => !v.Passed).Select(v => v.Reason))}";

    private static ToolCallResult ExchangeRate(SuiteEvaluationResult result) =>
        result.Run.Cases.Single(c => c.Scenario == "dollar-taxi").ToolCalls.Single(t => t.Tool == "get_exchange_rate");

    [Fact]
    public async Task RecordThenReplay_WithTheRatesServerRemoved_GivesTheRecordedRateAndEndState()
    {
        var recorded = await RunAsync(upstream: "scripted");

        Assert.Equal(ExitCodes.Ok, recorded.ExitCode);
        Assert.All(recorded.Run.Cases, c => Assert.True(c.Passed, Failures(c)));
        Assert.Contains("""{\"currency\":\"USD\",\"eur\":0.92}""", ExchangeRate(recorded).Result, StringComparison.Ordinal);

        // Every case listed the server's tools through the harness; the taxi case also called one, with the model's argument.
        var taxi = Recorded("dollar-taxi").Tools!;
        Assert.All(taxi, t => Assert.Equal("rates", t.Server));
        Assert.Equal(["server/discover", "tools/list", "tools/call"], taxi.Select(t => t.Request.Method));
        Assert.Equal("USD", taxi[2].Request.Body.GetProperty("params").GetProperty("arguments").GetProperty("currency").GetString());
        Assert.Equal(
            """{"currency":"USD","eur":0.92}""",
            taxi[2].Response.Body!.Value.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains(Recorded("euro-lunch").Tools!, t => t.Request.Method == "tools/list");
        Assert.Contains(
            Recorded("unknown-currency").Tools!,
            t => t.Request.Method == "tools/call" && t.Response.Body!.Value.GetRawText().Contains("unknown currency", StringComparison.Ordinal));

        // The server is gone: the replay answers its part from the cassettes and starts nothing.
        Directory.Delete(_temp.Combine("RatesServer"), recursive: true);
        var replayed = await RunAsync();

        Assert.Equal(ExitCodes.Ok, replayed.ExitCode);
        Assert.Equal("replay", replayed.Run.Mode);
        Assert.All(replayed.Run.Cases, c => Assert.True(c.Passed, Failures(c)));
        Assert.Equal(ExchangeRate(recorded), ExchangeRate(replayed));
        var taxiCase = replayed.Run.Cases.Single(c => c.Scenario == "dollar-taxi");
        Assert.Contains(taxiCase.Verdicts, v => v is { Kind: "state", Passed: true, Reason: "total_eur is 46." });
    }

    [Fact]
    public async Task Replay_TheRecordingAskedTheServerAnotherCurrency_IsAnInputErrorNamingTheArgument()
    {
        Assert.Equal(ExitCodes.Ok, (await RunAsync(upstream: "scripted")).ExitCode);
        Directory.Delete(_temp.Combine("RatesServer"), recursive: true);

        // A tool-side change: the recording asked the rates server for GBP, the agent now asks for USD.
        var file = new CassetteStore(CassetteDirectory).PathFor("dotnet-agent/default/dollar-taxi/t1");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!;
        var call = json["tools"]!.AsArray().Single(t => (string?)t!["request"]!["method"] == "tools/call")!;
        call["request"]!["body"]!["params"]!["arguments"]!["currency"] = "GBP";
        await File.WriteAllTextAsync(file, json.ToJsonString(), Ct);

        var replayed = await RunAsync();

        Assert.Equal(ExitCodes.InputError, replayed.ExitCode);
        var taxi = replayed.Run.Cases.Single(c => c.Scenario == "dollar-taxi");
        Assert.Contains(
            "tools/call rates.get_exchange_rate: $.params.arguments.currency: recorded \"GBP\", got \"USD\"",
            taxi.Error,
            StringComparison.Ordinal);
        Assert.All(replayed.Run.Cases.Where(c => c.Scenario != "dollar-taxi"), c => Assert.True(c.Passed, Failures(c)));
    }

    [Fact]
    public async Task Run_TheSuiteNamesNoRatesServer_TheCaseSaysHowToNameIt()
    {
        var lines = (await File.ReadAllLinesAsync(Suite, Ct)).ToList();
        var mcp = lines.IndexOf("  mcp:");
        lines.RemoveRange(mcp, lines.FindIndex(mcp, l => l.TrimStart().StartsWith("rates:", StringComparison.Ordinal)) - mcp + 1);
        await File.WriteAllLinesAsync(Suite, lines, Ct);

        var run = await RunAsync(upstream: "scripted");

        Assert.Equal(ExitCodes.InputError, run.ExitCode);
        Assert.All(run.Run.Cases, c => Assert.Equal(
            "The agent threw InvalidOperationException: ExpenseAgent needs the rates MCP server: name it in the suite, agent.mcp.rates: { command: [dotnet, RatesServer/bin/RatesServer.dll] }.",
            c.Error));
    }
}
