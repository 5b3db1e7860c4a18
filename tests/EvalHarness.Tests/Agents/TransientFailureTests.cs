using System.Collections.Concurrent;
using EvalHarness.Agents.Providers;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace EvalHarness.Tests.Agents;

/// <summary>
/// What the runtime retries, through the official SDKs against real loopback servers: the providers' transient
/// answers from either SDK, and never an answer the cassette server marks <c>x-should-retry: false</c>.
/// </summary>
public sealed class TransientFailureTests : IDisposable
{
    private const string AnthropicKey = "sk-ant-api03-test-not-a-real-key-0000";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static AgentOptions Options() => new("m", "Be brief.", [], new AgentLimits(maxSteps: 3))
    {
        Resilience = new ResilienceOptions(maxRetries: 2, baseDelay: TimeSpan.FromMilliseconds(1)) { SkipDelays = true },
    };

    private static IChatClient Client(string provider, Uri baseAddress) => provider == "openai"
        ? new OpenAIChatClient(new Uri(baseAddress, "v1"), OpenAIChatClient.Pipeline("sk-test", new HttpClient()), "gpt-4o-mini")
        : AnthropicChatClientFactory.Create(baseAddress, AnthropicKey, "claude-haiku-4-5");

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task UnreadableCassette_IsAskedOnce_AndItsMessageEndsTheRun(string provider)
    {
        const string id = "s/v/broken/t1";
        Directory.CreateDirectory(Path.Combine(_temp.Path, "s", "v"));
        await File.WriteAllTextAsync(Path.Combine(_temp.Path, "s", "v", "broken.t1.json"), "{ \"version\": 1, \"interactions\": [", Ct);
        var requests = new ConcurrentQueue<CassetteRequestLog>();
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path, OnRequest = requests.Enqueue }, Ct);
        using var client = Client(provider, server.BaseAddressFor(id));

        var run = await new Agent(client, Options()).RunAsync("Where is A1?", Ct);

        Assert.Equal(AgentOutcome.Failed, run.Outcome);
        Assert.Contains("broken.t1.json", run.Reason, StringComparison.Ordinal);
        Assert.Equal(500, Assert.Single(requests).Status);
        Assert.Equal(0, run.Counters.GetValueOrDefault(RunCounters.Retries));
    }

    private static object Overloaded => new { type = "error", error = new { type = "overloaded_error", message = "Overloaded" } };

    [Theory]
    [InlineData(500)]
    [InlineData(529)]
    [InlineData(429)]
    public async Task AnthropicTransientAnswer_IsRetried(int status)
    {
        using var upstream = WireMockUpstream.Start();
        var messages = Request.Create().WithPath("/v1/messages").UsingPost();
        upstream.Given(messages).InScenario("transient").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(status).WithBodyAsJson(Overloaded));
        upstream.Given(messages).InScenario("transient").WhenStateIs("recovered")
            .RespondWith(Response.Create().WithBodyAsJson(new
            {
                id = "msg_1", type = "message", role = "assistant", model = "claude-haiku-4-5", stop_reason = "end_turn",
                content = new[] { new { type = "text", text = "A1 has shipped." } },
                usage = new { input_tokens = 12, output_tokens = 5 },
            }));
        using var client = Client("anthropic", upstream.BaseAddress());

        var run = await new Agent(client, Options()).RunAsync("Where is A1?", Ct);

        Assert.Equal((AgentOutcome.Completed, "A1 has shipped."), (run.Outcome, run.FinalText));
        Assert.Equal(2, upstream.LogEntries.Count());
        Assert.Equal(1, run.Counters[RunCounters.Retries]);
    }

    [Fact]
    public async Task AnthropicBadRequest_IsNotRetried()
    {
        using var upstream = WireMockUpstream.Start();
        upstream.Given(Request.Create().WithPath("/v1/messages").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBodyAsJson(new { type = "error", error = new { type = "invalid_request_error", message = "max_tokens: required" } }));
        using var client = Client("anthropic", upstream.BaseAddress());

        var run = await new Agent(client, Options()).RunAsync("Where is A1?", Ct);

        Assert.Equal(AgentOutcome.Failed, run.Outcome);
        Assert.Single(upstream.LogEntries);
    }
}
