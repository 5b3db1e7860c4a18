using System.Diagnostics;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Application;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Xunit;

/// <summary>
/// The Node example agent, whose convert_temperature calls a stdio MCP server (the official SDK) through
/// EVALH_MCP_UNITS_URL and whose get_weather calls an HTTP API through EVALH_HTTP_WEATHER_URL: recorded with both
/// running, replayed with the server's file removed and the API stopped.
/// </summary>
public sealed class NodeToolCassetteTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A copy of the example in a folder of its own (its packages linked), its cassettes not copied.</summary>
    private string CopyExample(Uri weatherApi)
    {
        var example = RepoPaths.Example("node-agent");
        foreach (var file in new[] { "agent.mjs", "units-server.mjs", "weather-api.mjs", "package.json", "scripts/node-agent.yaml" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_temp.Combine(file))!);
            File.Copy(Path.Combine(example, file), _temp.Combine(file));
        }

        Directory.CreateSymbolicLink(_temp.Combine("node_modules"), Path.Combine(example, "node_modules"));
        var suite = File.ReadAllText(Path.Combine(example, "suite.yaml")).Replace("${WEATHER_API_URL:-http://127.0.0.1:5081}", weatherApi.ToString(), StringComparison.Ordinal);
        Assert.Contains(weatherApi.ToString(), suite, StringComparison.Ordinal);
        return _temp.Write("suite.yaml", suite);
    }

    /// <summary>The example's weather API, started as its README says, on a free port.</summary>
    private static async Task<(Process Process, Uri Url)> StartWeatherApiAsync(string folder)
    {
        var start = new ProcessStartInfo("node", ["weather-api.mjs"]) { WorkingDirectory = folder, RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["PORT"] = "0";
        var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync(Ct) ?? throw new InvalidOperationException("the weather API printed nothing");
        return (process, new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..]));
    }

    private Task<SuiteEvaluationResult> RunAsync(string suite, RecordMode? mode = null) => Evaluation.RunAsync(suite, new EvaluationOptions
    {
        CassetteDirectory = _temp.Combine("cassettes"),
        ReportsDirectory = _temp.Combine("reports"),
        Mode = mode,
        Upstream = mode is null ? null : "scripted",
    }, Ct);

    [Fact]
    public async Task RecordWithBothRunning_ReplayWithNeither_PassesWithTheRecordedToolAnswers_AndAChangedArgumentExits2()
    {
        string suite;
        SuiteEvaluationResult recorded;
        var (api, url) = await StartWeatherApiAsync(RepoPaths.Example("node-agent"));
        try
        {
            suite = CopyExample(url);
            recorded = await RunAsync(suite, RecordMode.All);
        }
        finally
        {
            api.Kill();
            await api.WaitForExitAsync(Ct);
        }

        Assert.Equal(0, recorded.ExitCode);

        // Nothing of the tools' world is left: the MCP server's file is gone and the API is stopped.
        File.Delete(_temp.Combine("units-server.mjs"));
        File.Delete(_temp.Combine("weather-api.mjs"));
        var replayed = await RunAsync(suite);

        Assert.Equal(0, replayed.ExitCode);
        var tokyo = replayed.Run.Cases.Single(c => c.Scenario == "tokyo-fahrenheit");
        Assert.Equal(
            ["weather GET /weather: {\"city\":\"Tokyo\"} → {\"city\":\"Tokyo\",\"temperature_c\":26,\"conditions\":\"sunny\"}",
             "units.convert_temperature: {\"celsius\":26,\"to\":\"fahrenheit\"} → {\"celsius\":26,\"fahrenheit\":78.8}"],
            tokyo.ServerCalls!.Select(c => $"{c.Tool}: {c.Arguments} → {c.Result}"));
        Assert.Equal(
            recorded.Run.Cases.Select(c => (c.Scenario, c.FinalOutput, string.Join("; ", c.ServerCalls!.Select(s => s.Result)))),
            replayed.Run.Cases.Select(c => (c.Scenario, c.FinalOutput, string.Join("; ", c.ServerCalls!.Select(s => s.Result)))));
        Assert.Contains(tokyo.Trace, s => s.Kind == "server" && s.Name == "units.convert_temperature" && s.DurationMs > 0);
        var html = await File.ReadAllTextAsync(Path.Combine(replayed.ReportDirectory!, "report.html"), Ct);
        Assert.Contains("<h3>Tool servers</h3>", html, StringComparison.Ordinal);

        // A tool-side change: the agent now asks the weather API for metric units too.
        var agent = _temp.Combine("agent.mjs");
        var code = await File.ReadAllTextAsync(agent, Ct);
        await File.WriteAllTextAsync(agent, code.Replace("/weather?city=${encodeURIComponent(city)}", "/weather?city=${encodeURIComponent(city)}&units=metric", StringComparison.Ordinal), Ct);
        var changed = await RunAsync(suite);

        Assert.Equal(2, changed.ExitCode);
        // The tool's miss comes first, before the model request it changed.
        Assert.StartsWith(
            "cassette 'node-agent/default/tokyo-fahrenheit/t1' (",
            changed.Run.Cases.Single(c => c.Scenario == "tokyo-fahrenheit").Error, StringComparison.Ordinal);
        Assert.Contains(
            "): GET weather /weather?city=Tokyo: $.query.units: recorded (missing), got \"metric\". The agent asked its tool something else",
            changed.Run.Cases.Single(c => c.Scenario == "tokyo-fahrenheit").Error!.Split(Environment.NewLine)[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_TheCommittedCassettes_HoldTheToolsTrafficAndPass()
    {
        var example = RepoPaths.Example("node-agent");
        var result = await Evaluation.RunAsync(
            Path.Combine(example, "suite.yaml"),
            new EvaluationOptions { CassetteDirectory = Path.Combine(example, "cassettes"), ReportsDirectory = _temp.Path },
            Ct);

        Assert.Equal(0, result.ExitCode);
        Assert.All(result.Run.Cases, c => Assert.Contains(c.ServerCalls!, s => s.Tool == "weather GET /weather"));
        var cassette = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(example, "cassettes", "node-agent", "default", "oslo-kelvin.t1.json"), Ct))!;
        Assert.Contains(cassette["tools"]!.AsArray(), t => (string?)t!["server"] == "units" && (string?)t["request"]!["method"] == "tools/call");
    }

    [Fact]
    public async Task Serve_WithTheSuitesTools_ReplaysTheNodeAgentsToolsForAnAgentRunByHand_AgainAndAgain()
    {
        var example = RepoPaths.Example("node-agent");
        // No --cassettes: the suite's cassettes.dir.
        await using var serve = await ServeHost.StartAsync(Ct, "--tools", Path.Combine(example, "suite.yaml"));
        var caseAddress = new Uri(serve.Address, "c/node-agent/default/tokyo-fahrenheit/t1/");
        Assert.Contains($"EVALH_MCP_UNITS_URL={serve.Address}c/<cassette-id>/mcp/units", serve.Output, StringComparison.Ordinal);

        // The agent run by hand, twice, as a team runs it against evalh serve: no weather API, no units server.
        for (var run = 1; run <= 2; run++)
        {
            var start = new ProcessStartInfo("node", ["agent.mjs"]) { WorkingDirectory = example, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.Environment["OPENAI_BASE_URL"] = new Uri(caseAddress, "v1").ToString();
            start.Environment["OPENAI_API_KEY"] = "sk-replay";
            start.Environment["EVALH_MCP_UNITS_URL"] = new Uri(caseAddress, "mcp/units").ToString();
            start.Environment["EVALH_HTTP_WEATHER_URL"] = new Uri(caseAddress, "http/weather").ToString();
            using var agent = Process.Start(start)!;
            await agent.StandardInput.WriteAsync("""{"input": "How warm is it in Tokyo, in Fahrenheit?"}""");
            agent.StandardInput.Close();
            var output = await agent.StandardOutput.ReadToEndAsync(Ct);
            await agent.WaitForExitAsync(Ct);

            Assert.Equal(0, agent.ExitCode);
            Assert.Contains("78.8", output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(serve.LogLines("node-agent/default/tokyo-fahrenheit/t1"), line => line.Contains(" miss ", StringComparison.Ordinal));
    }
}
