using EvalHarness.Agents.Providers;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Cassettes.Tooling;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// A freshly recorded cassette, exported and loaded into a real WireMock server, takes the agent (the official OpenAI
/// SDK underneath) down the path the recording did: plain and streamed answers, a 429, a timeout or a drop and the
/// retry, a stream cut off.
/// </summary>
public sealed class WireMockExportRuntimeTests : IDisposable
{
    private const string Id = "wiremock/v/case/t1";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static async Task<AgentRun> RunAsync(Uri v1, bool streaming)
    {
        using var client = new OpenAIChatClient(v1, "test-key", "gpt-4o-mini");
        var options = new AgentOptions("gpt-4o-mini", "Be brief.", [], new AgentLimits(maxSteps: 3))
        {
            Streaming = streaming,
            Resilience = new ResilienceOptions(maxRetries: 2, attemptTimeout: TimeSpan.FromSeconds(20)) { SkipDelays = true },
        };
        return await new Agent(client, options).RunAsync("Hello", Ct);
    }

    private async Task<(AgentRun Live, AgentRun FromWireMock)> RecordExportAndRunAsync(IReadOnlyList<ScriptedTurn> script, bool streaming)
    {
        var cassettes = _temp.Combine("cassettes");
        AgentRun live;
        await using (var upstream = await ScriptedUpstream.StartAsync(_ => script, Ct))
        await using (var recorder = await CassetteServer.StartAsync(new CassetteServerOptions
        {
            CassetteDirectory = cassettes,
            Mode = RecordMode.All,
            Upstream = upstream.UpstreamTemplate,
            UpstreamTimeout = TimeSpan.FromMilliseconds(1500),
        }, Ct))
        {
            live = await RunAsync(new Uri(recorder.BaseAddressFor(Id), "v1"), streaming);
        }

        var exported = WireMockExport.Write(cassettes, _temp.Combine("wiremock"));
        Assert.Equal(script.Count, exported.Mappings);
        using var wireMock = WireMockUpstream.Start();
        wireMock.ReadStaticMappings(Path.Combine(exported.Folder, "mappings"));
        return (live, await RunAsync(new Uri($"{wireMock.Url}/c/{Id}/v1"), streaming));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Export_RateLimitedThenAnswered_TheAgentRetriesAndAnswersAsRecorded(bool streaming)
    {
        var (live, fromWireMock) = await RecordExportAndRunAsync(
            [new() { ErrorStatus = 429, ErrorMessage = "Slow down." }, new() { Text = "Hi there, how can I help?" }], streaming);

        foreach (var run in new[] { live, fromWireMock })
        {
            Assert.Equal((AgentOutcome.Completed, "Hi there, how can I help?"), (run.Outcome, run.FinalText));
            Assert.Equal(1, run.Counters[RunCounters.Retries]);
        }
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("reset")]
    public async Task Export_NoAnswerThenAnswered_IsAGatewayErrorTheAgentRetries_AndThenTheRecordedAnswer(string fault)
    {
        var (live, fromWireMock) = await RecordExportAndRunAsync([new() { Fault = fault }, new() { Text = "Hi there." }], streaming: false);

        foreach (var run in new[] { live, fromWireMock })
        {
            Assert.Equal((AgentOutcome.Completed, "Hi there."), (run.Outcome, run.FinalText));
            Assert.Equal(1, run.Counters[RunCounters.Retries]);
        }
    }

    [Fact]
    public async Task Export_TruncatedStream_ServesTheEventsThatArrived_ButCannotCutTheConnection()
    {
        const string text = "This answer will be cut off somewhere in the middle of it.";
        var (live, fromWireMock) = await RecordExportAndRunAsync([new() { Text = text, Fault = "truncated" }], streaming: true);

        Assert.Equal(AgentOutcome.Failed, live.Outcome);
        Assert.Equal(AgentOutcome.Completed, fromWireMock.Outcome);
        Assert.StartsWith(fromWireMock.FinalText, text, StringComparison.Ordinal);
        Assert.NotEqual(text, fromWireMock.FinalText);
        Assert.NotEmpty(fromWireMock.FinalText);
    }
}
