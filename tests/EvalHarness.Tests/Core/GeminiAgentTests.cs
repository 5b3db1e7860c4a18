using EvalHarness.Agents.Providers;
using EvalHarness.Cassettes.Format;
using EvalHarness.Core.Application;
using EvalHarness.Core.UnderTest;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>
/// A C# agent on a <c>gemini:</c> model: Microsoft.Extensions.AI's function invocation over the harness's Gemini client,
/// the one the harness hands it or one it builds from the case's address and key, plain and streamed.
/// </summary>
public sealed class GeminiAgentTests : IDisposable
{
    private const string Suite = """
        suite: desk
        agent:
          model: gemini:gemini-2.5-flash
          dotnet: {}
          tools: [get_weather]
        variants:
          - name: default
          - name: own-client
          - name: streamed
        scenarios:
          - name: paris
            input: "Weather in Paris?"
            expect:
              output: { contains: ["21 °C"] }
              tools:
                called: [{ name: get_weather, args: { city: Paris } }]
        """;

    private const string Script = """
        default:
          paris:
            - tools: [{ get_weather: { city: Paris } }]
            - text: "It is 21 °C and sunny in Paris."
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DotnetAgent_GeminiModel_CallsAFunction_RecordsFromTheScriptedUpstream_AndReplays()
    {
        var suite = _temp.Write("suite.yaml", Suite);
        _temp.Write("scripts/desk.yaml", Script);
        EvaluationOptions Options(string? upstream) => new()
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine(upstream is null ? "replay" : "record"),
            Upstream = upstream,
            Agent = OwnAgent.FromFactory(() => new WeatherAgent()),
        };

        var recorded = await Evaluation.RunAsync(suite, Options("scripted"), Ct);
        var replayed = await Evaluation.RunAsync(suite, Options(null), Ct);

        Assert.Equal((0, 0), (recorded.ExitCode, replayed.ExitCode));
        var store = new CassetteStore(_temp.Combine("cassettes"));
        Assert.Equal(
            ["v1beta/models/gemini-2.5-flash:generateContent", "v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"],
            new[] { "default", "streamed" }.Select(v => store.Load($"desk/{v}/paris/t1")!.Interactions[1].Request.Path));
        // The call had no id: none was sent back, and its response names the function.
        var response = store.Load("desk/own-client/paris/t1")!.Interactions[1].Request.Body.GetProperty("contents")[2].GetProperty("parts")[0].GetProperty("functionResponse");
        Assert.Equal("""{"name":"get_weather","response":{"result":"21 °C and sunny"}}""", System.Text.Json.JsonSerializer.Serialize(response, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>A weather desk on function invocation: the harness's client, its own client, or the harness's streamed.</summary>
    private sealed class WeatherAgent : IAgentUnderTest
    {
        public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
        {
            using var own = agentCase.Variant == "own-client"
                ? new GeminiChatClient(agentCase.CassetteBaseUrl, agentCase.ApiKeys["gemini"], agentCase.Model.Model)
                : null;
            using var client = new ChatClientBuilder(own ?? agentCase.ChatClient).UseFunctionInvocation().Build();
            var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => city == "Paris" ? "21 °C and sunny" : "no data", "get_weather")] };
            ChatMessage[] messages = [new(ChatRole.System, "You are a weather desk."), .. agentCase.Messages];
            if (agentCase.Variant == "streamed")
            {
                return (await client.GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken)).Text;
            }

            return (await client.GetResponseAsync(messages, options, cancellationToken)).Text;
        }
    }
}
