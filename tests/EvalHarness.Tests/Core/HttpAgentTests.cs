using System.Text.Json;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.UnderTest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>
/// What a served agent's case sends (the body template filled in, the trace context) and how its answer is read, against
/// a real endpoint on Kestrel that keeps what it was sent.
/// </summary>
public sealed class HttpAgentTests : IAsyncDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private readonly List<(JsonElement Body, IHeaderDictionary Headers)> _received = [];
    private WebApplication? _app;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>An endpoint answering <paramref name="answer"/> to every POST, keeping each body and its headers.</summary>
    private async Task<Uri> EndpointAsync(string answer, int status = 200)
    {
        (_app, var address) = await LoopbackHost.StartAsync(app => app.MapPost("/chat", async (HttpContext context) =>
        {
            var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            lock (_received)
            {
                _received.Add((body.RootElement.Clone(), new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value))));
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer, context.RequestAborted);
        }), Ct);
        return new Uri(address, "chat");
    }

    private static AgentCase Case(int turn, params string[] userTurns) => new()
    {
        CaseId = "shop/default/mugs/t1",
        Suite = "shop",
        Variant = "default",
        Trial = 1,
        Scenario = "mugs",
        Turn = turn,
        Messages = [.. userTurns.SelectMany((text, i) => i < userTurns.Length - 1
            ? new[] { new ChatMessage(ChatRole.User, text), new ChatMessage(ChatRole.Assistant, $"answer {i + 1}") }
            : [new ChatMessage(ChatRole.User, text)])],
        Vars = new Dictionary<string, JsonElement> { ["customer"] = JsonSerializer.SerializeToElement(new { id = 7, tier = "gold" }), ["store"] = JsonSerializer.SerializeToElement("north") },
        SystemPrompt = "Be brief.",
        Model = new ModelRef("openai", "gpt-4o-mini"),
        ChatClient = null!,
        CassetteBaseUrl = new Uri("http://127.0.0.1:1/c/shop/default/mugs/t1/"),
        OpenAIBaseUrl = new Uri("http://127.0.0.1:1/c/shop/default/mugs/t1/v1"),
        AnthropicBaseUrl = new Uri("http://127.0.0.1:1/c/shop/default/mugs/t1/"),
        OpenAIApiKey = "replay",
        AnthropicApiKey = "replay",
        Time = TimeProvider.System,
    };

    private static JsonElement Template(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public async Task RunAsync_BodyTemplate_FillsTextPlaceholdersAndWholeJsonValues_AndSendsTheCasesTraceContext()
    {
        var url = await EndpointAsync("""{"reply":"Two mugs.","state":{"cart":2},"session":"s-1"}""");
        var agent = new HttpAgent(new ServedAgent
        {
            Url = url,
            Body = Template("""{"text":"{{input}} (case {{case_id}}, turn {{turn}}, store {{vars.store}})","history":"{{conversation}}","turn":"{{turn}}","customer":"{{vars.customer}}","session":"{{session}}","literal":[1,true]}"""),
            Output = "$.reply",
            State = "$.state",
            Session = "$.session",
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer shop-token" },
        });

        var first = await agent.RunAsync(Case(1, "Any mugs?"), Ct);
        var second = await agent.RunAsync(Case(2, "Any mugs?", "Two, please."), Ct);

        Assert.Equal("Two mugs.", first.Output);
        Assert.Equal(2, first.State!.Value.GetProperty("cart").GetInt32());
        var (body, headers) = _received[0];
        Assert.Equal("Any mugs? (case shop/default/mugs/t1, turn 1, store north)", body.GetProperty("text").GetString());
        Assert.Equal("""[{"role":"user","content":"Any mugs?"}]""", body.GetProperty("history").GetRawText());
        Assert.Equal(1, body.GetProperty("turn").GetInt32());
        Assert.Equal("gold", body.GetProperty("customer").GetProperty("tier").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("session").ValueKind); // no session before the first answer
        Assert.Equal("[1,true]", body.GetProperty("literal").GetRawText());
        Assert.Equal("Bearer shop-token", headers.Authorization.ToString());
        Assert.Equal(CaseTrace.TraceIdFor("shop/default/mugs/t1"), CaseTrace.TraceIdOf(headers[CaseTrace.TraceParentHeader]));
        Assert.Equal("shop/default/mugs/t1", CaseTrace.CaseInBaggage(headers[CaseTrace.BaggageHeader]));
        Assert.Equal("shop/default/mugs/t1", headers[CaseTrace.CaseHeader].ToString());

        // The second turn: the session the first answer gave, the conversation so far, the same trace id, another span.
        var (next, nextHeaders) = _received[1];
        Assert.Equal("Two mugs.", second.Output);
        Assert.StartsWith("Two, please. (case shop/default/mugs/t1, turn 2,", next.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("s-1", next.GetProperty("session").GetString());
        Assert.Equal(3, next.GetProperty("history").GetArrayLength());
        Assert.Equal(CaseTrace.TraceIdOf(headers[CaseTrace.TraceParentHeader]), CaseTrace.TraceIdOf(nextHeaders[CaseTrace.TraceParentHeader]));
        Assert.NotEqual(headers[CaseTrace.TraceParentHeader].ToString(), nextHeaders[CaseTrace.TraceParentHeader].ToString());
    }

    [Fact]
    public async Task RunAsync_NoTemplate_PostsTheProcessInputObject_AndReadsTheProcessAnswer()
    {
        var url = await EndpointAsync("""{"output":"Done.","tool_calls":[{"name":"add_to_cart","arguments":{"sku":"MUG-01"},"result":"ok"}],"outcome":"completed"}""");

        var report = await new HttpAgent(new ServedAgent { Url = url }).RunAsync(Case(1, "Add a mug."), Ct);

        Assert.Equal("Done.", report.Output);
        Assert.Equal("add_to_cart", Assert.Single(report.ToolCalls!).Tool);
        var body = _received[0].Body;
        Assert.Equal("Add a mug.", body.GetProperty("input").GetString());
        Assert.Equal("Be brief.", body.GetProperty("system_prompt").GetString());
        Assert.Equal("north", body.GetProperty("vars").GetProperty("store").GetString());
    }

    [Theory]
    [InlineData(500, """{"error":"model down"}""", "the service answered HTTP 500: {\"error\":\"model down\"}")]
    [InlineData(200, "not json", "the service's answer is not JSON")]
    [InlineData(200, """{"answer":"x"}""", "the service's answer has nothing at $.reply (agent.http.output)")]
    public async Task RunAsync_AnAnswerItCannotRead_FailsTheCaseSayingWhy(int status, string answer, string error)
    {
        var url = await EndpointAsync(answer, status);

        var report = await new HttpAgent(new ServedAgent { Url = url, Body = Template("""{"m":"{{input}}"}"""), Output = "$.reply" }).RunAsync(Case(1, "Hi"), Ct);

        Assert.Contains(error, report.Error, StringComparison.Ordinal);
        Assert.Contains(answer, report.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NothingListens_FailsSayingTheServiceCouldNotBeReached()
    {
        var report = await new HttpAgent(new ServedAgent { Url = new Uri("http://127.0.0.1:9/chat") }).RunAsync(Case(1, "Hi"), Ct);

        Assert.Contains("the service at http://127.0.0.1:9/chat could not be reached", report.Error, StringComparison.Ordinal);
        Assert.Contains("agent.http.start", report.Error, StringComparison.Ordinal);
    }
}
