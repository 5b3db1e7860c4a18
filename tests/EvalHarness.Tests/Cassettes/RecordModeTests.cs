using System.Net;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cassettes;

/// <summary>The record modes (none, once, new_episodes, all) and the two ways of matching, over raw HTTP.</summary>
public sealed class RecordModeTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();
    private readonly HttpClient _http = new();
    private ScriptedUpstream _upstream = null!;
    private int _upstreamCalls;

    public async ValueTask InitializeAsync()
    {
        IReadOnlyList<ScriptedTurn> answers = [.. Enumerable.Range(1, 20).Select(i => new ScriptedTurn { Text = $"answer {i}" })];
        _upstream = await ScriptedUpstream.StartAsync(_ => { Interlocked.Increment(ref _upstreamCalls); return answers; }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _http.Dispose();
        _temp.Dispose();
    }

    private Task<CassetteServer> StartAsync(RecordMode mode, MatchMode match = MatchMode.Ordered, params string[] ignore) =>
        CassetteServer.StartAsync(new CassetteServerOptions
        {
            CassetteDirectory = _temp.Path,
            Mode = mode,
            Match = match,
            Upstream = mode == RecordMode.None ? null : _upstream.UpstreamTemplate,
            IgnoredRequestPaths = ignore.ToHashSet(),
        }, Ct);

    private static string Request(string user, string? extra = null) =>
        $$"""{"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":"{{user}}"}{{extra}}]}""";

    private async Task<(HttpStatusCode Status, string Text)> PostAsync(CassetteServer server, string id, string json)
    {
        using var response = await _http.PostAsync(new Uri(server.BaseAddressFor(id), "v1/chat/completions"), new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, body);
        }

        using var document = JsonDocument.Parse(body);
        return (response.StatusCode, document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
    }

    private async Task RecordAsync(string id, params string[] requests)
    {
        await using var server = await StartAsync(RecordMode.All);
        foreach (var request in requests)
        {
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, id, request)).Status);
        }
    }

    private Cassette Load(string id) => new CassetteStore(_temp.Path).Load(id)!;

    [Fact]
    public async Task Once_ExistingCassette_ReplaysWithoutCallingUpstream()
    {
        await RecordAsync("s/v/a/t1", Request("hi"));
        var before = _upstreamCalls;
        await using var server = await StartAsync(RecordMode.Once);

        var answer = await PostAsync(server, "s/v/a/t1", Request("hi"));
        var changed = await PostAsync(server, "s/v/b/t1", Request("new cassette"));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
        Assert.Equal("answer 1", answer.Text);
        Assert.True(changed.Status == HttpStatusCode.OK, changed.Text);
        Assert.Equal(before + 1, _upstreamCalls);
        Assert.Single(Load("s/v/b/t1").Interactions);
    }

    [Fact]
    public async Task Once_ExistingCassetteThatNoLongerMatches_IsAMissNotARerecording()
    {
        await RecordAsync("s/v/a/t1", Request("hi"));
        await using var server = await StartAsync(RecordMode.Once);

        var answer = await PostAsync(server, "s/v/a/t1", Request("hello"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal("hi", Load("s/v/a/t1").Interactions[0].Request.Body.GetProperty("messages")[1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task NewEpisodes_RequestsBeyondTheRecording_AreRecordedAndAppended()
    {
        await RecordAsync("s/v/a/t1", Request("one"));
        var before = _upstreamCalls;
        await using var server = await StartAsync(RecordMode.NewEpisodes);

        var first = await PostAsync(server, "s/v/a/t1", Request("one"));
        var second = await PostAsync(server, "s/v/a/t1", Request("two"));

        Assert.Equal("answer 1", first.Text);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(before + 1, _upstreamCalls);
        Assert.Equal(["one", "two"], Load("s/v/a/t1").Interactions.Select(i => i.Request.Body.GetProperty("messages")[1].GetProperty("content").GetString()));
    }

    [Fact]
    public async Task NewEpisodes_Ordered_ADivergingRequestReplacesTheOldRest()
    {
        await RecordAsync("s/v/a/t1", Request("one"), Request("two"), Request("three"));
        await using var server = await StartAsync(RecordMode.NewEpisodes);

        await PostAsync(server, "s/v/a/t1", Request("one"));
        await PostAsync(server, "s/v/a/t1", Request("TWO, changed"));

        Assert.Equal(["one", "TWO, changed"], Load("s/v/a/t1").Interactions.Select(i => i.Request.Body.GetProperty("messages")[1].GetProperty("content").GetString()));
    }

    [Fact]
    public async Task All_RecordsAgainEvenWhenACassetteExists()
    {
        await RecordAsync("s/v/a/t1", Request("old"));

        await RecordAsync("s/v/a/t1", Request("new"));

        Assert.Equal("new", Assert.Single(Load("s/v/a/t1").Interactions).Request.Body.GetProperty("messages")[1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Unordered_RequestsInAnotherOrder_StillMatch_AndRepeatsReplayInRecordedOrder()
    {
        await RecordAsync("s/v/a/t1", Request("a"), Request("b"), Request("a"));
        await using (var ordered = await StartAsync(RecordMode.None))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(ordered, "s/v/a/t1", Request("b"))).Status);
        }

        await using var server = await StartAsync(RecordMode.None, MatchMode.Unordered);

        var answers = new[] { await PostAsync(server, "s/v/a/t1", Request("b")), await PostAsync(server, "s/v/a/t1", Request("a")), await PostAsync(server, "s/v/a/t1", Request("a")) };
        var extra = await PostAsync(server, "s/v/a/t1", Request("a"));

        Assert.Equal(["answer 2", "answer 1", "answer 3"], answers.Select(a => a.Text));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, extra.Status);
        Assert.Contains("all 3 interaction(s) were used", extra.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matching_IgnoresProviderToolCallIdsAndConfiguredPaths()
    {
        const string toolTurn = """,{"role":"assistant","content":null,"tool_calls":[{"id":"call_AAA","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_AAA","content":"ok"}""";
        await RecordAsync("s/v/a/t1", Request("hi", toolTurn).Replace("\"model\":\"m\"", "\"model\":\"m\",\"user\":\"u-1\"", StringComparison.Ordinal));
        await using var strict = await StartAsync(RecordMode.None);
        await using var lenient = await StartAsync(RecordMode.None, MatchMode.Ordered, "$.user");
        var replay = Request("hi", toolTurn.Replace("call_AAA", "call_BBB", StringComparison.Ordinal)).Replace("\"model\":\"m\"", "\"model\":\"m\",\"user\":\"u-2\"", StringComparison.Ordinal);

        var strictAnswer = await PostAsync(strict, "s/v/a/t1", replay);
        var lenientAnswer = await PostAsync(lenient, "s/v/a/t1", replay);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, strictAnswer.Status);
        Assert.Contains("$.user", strictAnswer.Text, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "answer 1"), lenientAnswer);
    }

    [Fact]
    public async Task Matching_IgnoredPathWithAFilter_IgnoresOnlyTheItemsItSelects()
    {
        static string ToolTurn(string result, string question = "hi") =>
            $$$""",{"role":"assistant","content":null,"tool_calls":[{"id":"call_A","type":"function","function":{"name":"clock","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_A","content":"{{{result}}}"},{"role":"user","content":"{{{question}}}"}""";
        await RecordAsync("s/v/a/t1", Request("hi", ToolTurn("10:00")));
        await using var server = await StartAsync(RecordMode.None, MatchMode.Ordered, "$.messages[?(@.role=='tool')].content");

        var toolResultChanged = await PostAsync(server, "s/v/a/t1", Request("hi", ToolTurn("10:05")));
        await using var again = await StartAsync(RecordMode.None, MatchMode.Ordered, "$.messages[?(@.role=='tool')].content");
        var userTextChanged = await PostAsync(again, "s/v/a/t1", Request("hi", ToolTurn("10:00", "hello")));

        Assert.Equal((HttpStatusCode.OK, "answer 1"), toolResultChanged);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, userTextChanged.Status);
        Assert.Contains("differs from the recording at $.messages[4].content", userTextChanged.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ReplayTiming.Realistic)]
    [InlineData(ReplayTiming.Instant)]
    public async Task RealisticReplay_WaitsTheRecordedTime_InstantDoesNot(ReplayTiming timing)
    {
        await RecordAsync("s/v/slow/t1", Request("hi"));
        var recordedMs = Load("s/v/slow/t1").Interactions[0].Timings.TotalMs;
        var clock = new WaitRecorder();
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path, Timing = timing, Time = clock }, Ct);

        var answer = await PostAsync(server, "s/v/slow/t1", Request("hi"));

        Assert.Equal("answer 1", answer.Text);
        Assert.True(recordedMs >= 250, $"the scripted upstream simulates a latency of at least 250 ms, recorded {recordedMs}");
        Assert.Equal(timing == ReplayTiming.Realistic ? recordedMs : 0, clock.Waited.TotalMilliseconds, precision: 3);
    }

    /// <summary>A clock whose timers fire at once and move it on by their wait: the waits are counted, not waited.</summary>
    private sealed class WaitRecorder : TimeProvider
    {
        private long _ticks;

        public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Add(ref _ticks, dueTime.Ticks);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new Fired();
        }

        private sealed class Fired : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
