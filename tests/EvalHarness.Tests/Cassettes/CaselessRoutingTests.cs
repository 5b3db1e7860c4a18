using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// The cassette server's case-less address, which a served agent's model client is pointed at: a call is routed to a
/// case by its trace context (<see cref="CaseTrace"/>), or refused saying what to pass on.
/// </summary>
public sealed class CaselessRoutingTests : IDisposable
{
    private const string Id = "stock/default/mug-01/t1";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<CassetteServer> StartAsync(RecordMode mode, string? upstream = null) =>
        CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path, Mode = mode, Upstream = upstream, RecordedFrom = "scripted" }, Ct);

    /// <summary>The official OpenAI SDK at the case-less address, called inside an activity continuing <paramref name="traceParent"/>, as a service handling a request does.</summary>
    private static async Task<string> AskInTraceAsync(CassetteServer server, string? traceParent, string question = "How many MUG-01?")
    {
        using var activity = new Activity("POST /chat");
        if (traceParent is not null)
        {
            activity.SetParentId(traceParent);
        }

        activity.Start();
        using var client = new OpenAI.Chat.ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-none"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.BaseAddress, "v1") })
            .AsIChatClient();
        return (await client.GetResponseAsync([new ChatMessage(ChatRole.User, question)], cancellationToken: Ct)).Text;
    }

    private static HttpRequestMessage Ask(CassetteServer server, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "v1/chat/completions"))
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"How many MUG-01?"}]}""", Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private async Task RecordAsync()
    {
        IReadOnlyList<ScriptedTurn> script = [new() { Text = "MUG-01: 3 in stock." }];
        await using var upstream = await ScriptedUpstream.StartAsync(key => key == Id ? script : null, Ct);
        await using var recorder = await StartAsync(RecordMode.All, upstream.UpstreamTemplate);
        using (recorder.RouteTrace(Id))
        {
            Assert.Equal("MUG-01: 3 in stock.", await AskInTraceAsync(recorder, CaseTrace.TraceParentFor(Id, 1)));
        }

        Assert.Empty((await recorder.TakeActivityAsync(Id, Ct)).Misses);
    }

    [Fact]
    public async Task Record_TheCaseTraceIdInFlight_TheSdksCallIsRecordedIntoThatCase()
    {
        await RecordAsync();

        var cassette = CassetteReader.Read(await File.ReadAllBytesAsync(new CassetteStore(_temp.Path).PathFor(Id), Ct));
        Assert.Contains("How many MUG-01?", Assert.Single(cassette.Interactions).Request.Body.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("baggage", "other=1, evalh.case_id=stock%2Fdefault%2Fmug-01%2Ft1;prop=x")]
    [InlineData("x-evalh-case-id", Id)]
    public async Task Replay_ByBaggageOrTheCaseHeader_AnswersFromThatCase(string header, string value)
    {
        await RecordAsync();
        await using var replayer = await StartAsync(RecordMode.None);
        using var http = new HttpClient();

        using var response = await http.SendAsync(Ask(replayer, (header, value)), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("MUG-01: 3 in stock.", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Single((await replayer.TakeActivityAsync(Id, Ct)).Served);
    }

    [Fact]
    public async Task Replay_NoTraceContext_Refused404SayingWhatToPassOn_AndKeptForTheCasesInFlight()
    {
        await RecordAsync();
        await using var replayer = await StartAsync(RecordMode.None);
        var mark = replayer.CaselessMissCount;
        using var http = new HttpClient();

        using var response = await http.SendAsync(Ask(replayer), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("'/v1/chat/completions' is not a cassette URL: point the client's base URL at", message, StringComparison.Ordinal);
        Assert.Contains("As a served agent's call to the case-less address, it names no case: it came with no traceparent", message, StringComparison.Ordinal);
        Assert.Contains("x-evalh-case-id", message, StringComparison.Ordinal);
        Assert.Equal(message, Assert.Single(replayer.CaselessMissesSince(mark)));
        Assert.Empty((await replayer.TakeActivityAsync(Id, Ct)).Served);
    }

    [Fact]
    public async Task Replay_TraceIdOfACaseNoLongerInFlight_IsNoCasesAndRefused()
    {
        await RecordAsync();
        await using var replayer = await StartAsync(RecordMode.None);
        replayer.RouteTrace(Id).Dispose();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => AskInTraceAsync(replayer, CaseTrace.TraceParentFor(Id, 1)));

        Assert.Contains($"a traceparent (00-{CaseTrace.TraceIdFor(Id)}-", error.Message, StringComparison.Ordinal);
        Assert.Contains("that is no case's in flight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAProviderPath_StillSaysItIsNotACassetteUrl()
    {
        await using var server = await StartAsync(RecordMode.None);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.BaseAddress, "status/favicon.ico"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("is not a cassette URL", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, server.CaselessMissCount);
    }

    [Fact]
    public async Task ACaselessGeminiCall_ItsDottedModelName_IsRoutedLikeAnyOther()
    {
        await using var server = await StartAsync(RecordMode.None);
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(server.BaseAddress, "v1beta/models/gemini-2.5-flash:generateContent"), new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        Assert.Contains("it names no case", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, server.CaselessMissCount);
    }

    [Theory]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData(" 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-00 ", "4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01", null)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", null)]
    [InlineData("not a traceparent", null)]
    [InlineData(null, null)]
    public void TraceIdOf_ReadsAW3CTraceParent(string? traceParent, string? traceId) =>
        Assert.Equal(traceId, CaseTrace.TraceIdOf(traceParent));

    [Fact]
    public void TraceParentFor_OneTraceIdPerCase_ASpanIdPerRequest()
    {
        var (first, second) = (CaseTrace.TraceParentFor(Id, 1), CaseTrace.TraceParentFor(Id, 2));

        Assert.Equal(CaseTrace.TraceIdOf(first), CaseTrace.TraceIdOf(second));
        Assert.NotEqual(first, second);
        Assert.NotEqual(CaseTrace.TraceIdFor(Id), CaseTrace.TraceIdFor("stock/default/mug-02/t1"));
        Assert.Equal(Id, CaseTrace.CaseInBaggage(CaseTrace.BaggageFor(Id)));
    }
}
