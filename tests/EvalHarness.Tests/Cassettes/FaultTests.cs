using EvalHarness.Agents.Providers;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cassettes;

/// <summary>Faults during recording are recorded as they happened, so a replay takes the agent down the same path.</summary>
public sealed class FaultTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(AgentRun Live, AgentRun Replay, Cassette Cassette)> RecordAndReplayAsync(IReadOnlyList<ScriptedTurn> script, bool streaming = false)
    {
        const string id = "faults/v/case/t1";
        async Task<AgentRun> RunAsync(CassetteServer server)
        {
            using var client = new OpenAIChatClient(new Uri(server.BaseAddressFor(id), "v1"), "test-key", "gpt-4o-mini");
            var options = new AgentOptions("gpt-4o-mini", "Be brief.", [], new AgentLimits(maxSteps: 3))
            {
                Streaming = streaming,
                Resilience = new ResilienceOptions(maxRetries: 2, attemptTimeout: TimeSpan.FromSeconds(20)) { SkipDelays = true },
            };
            return await new Agent(client, options).RunAsync("Hello", Ct);
        }

        AgentRun live;
        await using (var upstream = await ScriptedUpstream.StartAsync(_ => script, Ct))
        await using (var recorder = await CassetteServer.StartAsync(new CassetteServerOptions
        {
            CassetteDirectory = _temp.Path,
            Mode = RecordMode.All,
            Upstream = upstream.UpstreamTemplate,
            UpstreamTimeout = TimeSpan.FromMilliseconds(300),
        }, Ct))
        {
            live = await RunAsync(recorder);
        }

        await using var replayer = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path }, Ct);
        var replay = await RunAsync(replayer);
        Assert.Empty((await replayer.TakeActivityAsync(id, Ct)).Misses);
        return (live, replay, new CassetteStore(_temp.Path).Load(id)!);
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("reset")]
    public async Task NoAnswer_IsRecorded_AndTheReplayRetriesTheSameWay(string fault)
    {
        var (live, replay, cassette) = await RecordAndReplayAsync([new() { Fault = fault }, new() { Text = "Hi there." }]);

        Assert.Equal((fault, 0), (cassette.Interactions[0].Response.Fault, cassette.Interactions[0].Response.Status));
        Assert.Equal(200, cassette.Interactions[1].Response.Status);
        foreach (var run in new[] { live, replay })
        {
            Assert.Equal(AgentOutcome.Completed, run.Outcome);
            Assert.Equal("Hi there.", run.FinalText);
            Assert.Equal(1, run.Counters[RunCounters.Retries]);
        }
    }

    [Fact]
    public async Task MalformedJson_IsKeptAsText_AndFailsTheReplayAsItFailedLive()
    {
        var (live, replay, cassette) = await RecordAndReplayAsync([new() { Fault = "malformed" }]);

        Assert.StartsWith("{\"id\":\"chatcmpl-", cassette.Interactions[0].Response.BodyText, StringComparison.Ordinal);
        Assert.Null(cassette.Interactions[0].Response.Body);
        Assert.Equal((AgentOutcome.Failed, AgentOutcome.Failed), (live.Outcome, replay.Outcome));
        Assert.Equal(live.Reason, replay.Reason);
        Assert.False(replay.Counters.ContainsKey(RunCounters.Retries));
    }

    [Fact]
    public async Task TruncatedStream_KeepsTheEventsThatArrived_AndCutsTheReplayAtTheSamePlace()
    {
        var (live, replay, cassette) = await RecordAndReplayAsync([new() { Text = "This answer will be cut off somewhere in the middle of it.", Fault = "truncated" }], streaming: true);

        var response = cassette.Interactions[0].Response;
        Assert.True(response.Fault == "truncated", System.Text.Json.JsonSerializer.Serialize(cassette.Interactions.Select(i => new { i.Response.Status, i.Response.Fault, Events = i.Response.Events?.Count, i.Timings })));
        Assert.NotEmpty(response.Events!);
        Assert.DoesNotContain(response.Events!, e => e.Data.ValueKind == System.Text.Json.JsonValueKind.String && e.Data.GetString() == "[DONE]");
        Assert.Equal((AgentOutcome.Failed, AgentOutcome.Failed), (live.Outcome, replay.Outcome));
    }
}
