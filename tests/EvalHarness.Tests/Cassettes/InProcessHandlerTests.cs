using System.Net;
using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// The in-process path from a client to the cassette server: the same answers as over loopback, faults included,
/// without a socket; what is not a cassette URL (and a replay with recorded timing) still takes the network.
/// </summary>
public sealed class InProcessHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A network that must not be used: it fails every request it gets, and counts them.</summary>
    private sealed class NoNetwork : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("the network") });
        }
    }

    private static string Body(string variant, int interaction)
    {
        using var cassette = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Cassettes, "resilience", variant, "connection-dropped-once.t1.json")));
        return cassette.RootElement.GetProperty("interactions")[interaction].GetProperty("request").GetProperty("body").GetRawText();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, CassetteServer server, string variant, int interaction) =>
        client.PostAsync(new Uri(server.BaseAddressFor($"resilience/{variant}/connection-dropped-once/t1"), "v1/chat/completions"),
            new StringContent(Body(variant, interaction), Encoding.UTF8, "application/json"), Ct);

    [Fact]
    public async Task ARecordedAnswer_ComesWithoutTheNetwork_AndARecordedResetDropsTheRequestAsASocketWould()
    {
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);
        var network = new NoNetwork();
        using var client = new HttpClient(server.InProcessHandler(network));

        var reset = await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(client, server, "default", 0));
        Assert.Equal(HttpRequestError.ResponseEnded, reset.HttpRequestError);
        using var answer = await PostAsync(client, server, "default", 1);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        Assert.True(answer.Headers.Contains(CassetteServer.LatencyHeader)); // the recorded latency, for the case's clock
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct));
        Assert.Equal("check_stock", json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(0, network.Requests);
        Assert.Empty((await server.TakeActivityAsync("resilience/default/connection-dropped-once/t1", Ct)).Misses);
    }

    [Fact]
    public async Task AStreamedAnswer_IsItsRecordedEvents()
    {
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);
        using var client = new HttpClient(server.InProcessHandler(new NoNetwork()));
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(client, server, "streaming", 0));

        using var answer = await PostAsync(client, server, "streaming", 1);

        Assert.Equal("text/event-stream", answer.Content.Headers.ContentType?.MediaType);
        var events = await answer.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("data: {", events, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatIsNotACassetteUrl_AndARealisticReplay_TakeTheNetwork()
    {
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);
        var network = new NoNetwork();
        using var client = new HttpClient(server.InProcessHandler(network));

        using var elsewhere = await client.GetAsync(new Uri(server.BaseAddress, "v1/models"), Ct);

        Assert.Equal((HttpStatusCode.BadGateway, 1), (elsewhere.StatusCode, network.Requests));
        await using var realistic = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = RepoPaths.Cassettes, Timing = ReplayTiming.Realistic }, Ct);
        var sockets = new SocketsHttpHandler();
        Assert.Same(sockets, realistic.InProcessHandler(sockets)); // its bytes are paced: the socket carries them
    }
    [Fact]
    public async Task AServerThatDoesNotListen_AnswersItsInProcessClients()
    {
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = RepoPaths.Cassettes, Listen = false }, Ct);
        using var client = new HttpClient(server.InProcessHandler(new SocketsHttpHandler()));
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(client, server, "default", 0)); // the recorded reset

        using var answer = await PostAsync(client, server, "default", 1);

        Assert.Equal(CassetteServer.InProcessAddress, server.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("check_stock", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatDoesNotListen_CannotPaceARealisticReplay()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => CassetteServer.StartAsync(
            new CassetteServerOptions { CassetteDirectory = RepoPaths.Cassettes, Listen = false, Timing = ReplayTiming.Realistic }, Ct));
        Assert.Contains("needs the server to listen", refused.Message, StringComparison.Ordinal);
    }
}
