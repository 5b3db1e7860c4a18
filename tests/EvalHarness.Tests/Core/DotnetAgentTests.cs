using EvalHarness.Core.Application;
using EvalHarness.Core.UnderTest;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using EvalHarness.Xunit;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>
/// A C# agent given in code, end to end: recorded from the scripted upstream through the official OpenAI and
/// Anthropic SDKs (plain and streaming), replayed from those cassettes, and caught when its prompt changes.
/// </summary>
public sealed class DotnetAgentTests : IDisposable
{
    private const string Suite = """
        suite: greeter
        agent:
          model: openai:gpt-4o-mini
          dotnet: {}
        variants:
          - name: mini
          - name: haiku
            model: anthropic:claude-haiku-4-5
        scenarios:
          - name: plain
            input: "Say hello to Ada."
            expect: { output: { contains: [Hello, Ada] } }
          - name: streamed
            input: "Say hello to Grace, streaming."
            vars: { stream: true }
            expect: { output: { equals: "Hello, Grace! Streamed to you." } }
        """;

    private const string Script = """
        default:
          plain:
            - text: "Hello, Ada!"
          streamed:
            - text: "Hello, Grace! Streamed to you."
        """;

    private readonly TempDirectory _temp = new();

    public DotnetAgentTests()
    {
        _temp.Write("suite.yaml", Suite);
        _temp.Write("scripts/greeter.yaml", Script);
    }

    public void Dispose() => _temp.Dispose();

    private string SuitePath => _temp.Combine("suite.yaml");

    private Task<SuiteEvaluationResult> RunAsync(string prompt, string? upstream = null) => Evaluation.RunAsync(
        SuitePath,
        new EvaluationOptions
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine("reports"),
            Upstream = upstream,
            Agent = OwnAgent.FromFactory(() => new Greeter(prompt), $"dotnet: greeter ({prompt})"),
        },
        TestContext.Current.CancellationToken);

    [Fact]
    public async Task RecordThenReplay_PlainAndStreamingOnBothProviders_PassWithTheSameAnswers()
    {
        var recorded = await RunAsync(Greeter.Prompt, upstream: "scripted");
        var replayed = await RunAsync(Greeter.Prompt);

        Assert.Equal(0, recorded.ExitCode);
        Assert.Equal(0, replayed.ExitCode);
        Assert.Equal(
            ["Hello, Ada!", "Hello, Grace! Streamed to you.", "Hello, Ada!", "Hello, Grace! Streamed to you."],
            replayed.Run.Cases.Select(c => c.FinalOutput));
        Assert.Equal(recorded.Run.Cases.Select(c => (c.InputTokens, c.OutputTokens, c.ModelLatencyMs)), replayed.Run.Cases.Select(c => (c.InputTokens, c.OutputTokens, c.ModelLatencyMs)));
        Assert.All(replayed.Run.Cases, c => Assert.True(c.OutputTokens > 0 && c.Steps == 1, $"{c.CassetteId}: {c.OutputTokens} tokens, {c.Steps} steps"));

        // The cassettes hold each provider's own wire format, streams as their events.
        var anthropic = await File.ReadAllTextAsync(_temp.Combine("cassettes", "greeter", "haiku", "streamed.t1.json"), TestContext.Current.CancellationToken);
        Assert.Contains("\"path\": \"v1/messages\"", anthropic, StringComparison.Ordinal);
        Assert.Contains("\"event\": \"content_block_delta\"", anthropic, StringComparison.Ordinal);
        var openai = await File.ReadAllTextAsync(_temp.Combine("cassettes", "greeter", "mini", "plain.t1.json"), TestContext.Current.CancellationToken);
        Assert.Contains("\"path\": \"v1/chat/completions\"", openai, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_PromptChanged_IsAnErrorThatShowsWhereTheRequestDiffers()
    {
        await RunAsync(Greeter.Prompt, upstream: "scripted");

        var replayed = await RunAsync("You greet people warmly.");

        Assert.Equal(2, replayed.ExitCode);
        var plain = replayed.Run.Cases.First(c => c.CassetteId == "greeter/mini/plain/t1");
        Assert.Contains("interaction #1: the request differs from the recording at $.messages[0].content", plain.Error, StringComparison.Ordinal);
        var haiku = replayed.Run.Cases.First(c => c.CassetteId == "greeter/haiku/plain/t1");
        Assert.Contains("the request differs from the recording at $.system", haiku.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuiteReplay_AgentTypeGivenInCode_ReplaysACase()
    {
        await RunAsync(Greeter.Prompt, upstream: "scripted");

        await SuiteReplay.AssertPassesAsync<Greeter>(SuitePath, _temp.Combine("cassettes"), "greeter/haiku/streamed/t1");
    }

    [Fact]
    public async Task Replay_NoAgentGivenInCode_IsACaseErrorThatSaysHowToGiveOne()
    {
        Directory.CreateDirectory(_temp.Combine("cassettes"));

        var result = await Evaluation.RunAsync(
            SuitePath,
            new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports"), Mode = EvalHarness.Cassettes.Server.RecordMode.None },
            TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.All(result.Run.Cases, c => Assert.Contains("this suite's agent is given in code (dotnet: with no type). Pass it with SuiteReplay.AssertPassesAsync<TAgent>", c.Error, StringComparison.Ordinal));
    }

    /// <summary>A small agent of a team's own: a system prompt, and streaming when the scenario asks for it.</summary>
    [Fact]
    public async Task AnAgentWithAClientOfItsOwn_ReachesItsCassetteOverTheSocket()
    {
        // The agent builds the official SDK's client from the URL it is given, as an agent with its own wiring does:
        // a replay of the built-in runtime answers in process, a team's agent still gets a listening server.
        _temp.Write("own/suite.yaml", """
            suite: greeter
            agent: { model: "openai:gpt-4o-mini", dotnet: {} }
            scenarios:
              - name: plain
                input: "Say hello to Ada."
                expect: { output: { contains: [Hello, Ada] } }
            """);
        _temp.Write("own/scripts/greeter.yaml", """
            default:
              plain:
                - text: "Hello, Ada!"
            """);
        Task<SuiteEvaluationResult> RunOwnAsync(string? upstream) => Evaluation.RunAsync(
            _temp.Combine("own", "suite.yaml"),
            new EvaluationOptions
            {
                CassetteDirectory = _temp.Combine("own", "cassettes"),
                ReportsDirectory = _temp.Combine("own", "reports"),
                Upstream = upstream,
                Agent = OwnAgent.FromFactory(() => new OwnClientGreeter(), "dotnet: own-client greeter"),
            },
            TestContext.Current.CancellationToken);

        var recorded = await RunOwnAsync("scripted");
        var replayed = await RunOwnAsync(null);

        Assert.Equal(0, recorded.ExitCode);
        Assert.Equal(0, replayed.ExitCode);
        Assert.Equal("Hello, Ada!", Assert.Single(replayed.Run.Cases).FinalOutput);
    }

    public sealed class Greeter(string prompt) : IAgentUnderTest
    {
        public const string Prompt = "You greet people by name in one short sentence.";

        public Greeter()
            : this(Prompt)
        {
        }

        public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
        {
            List<ChatMessage> messages = [new(ChatRole.System, prompt), .. agentCase.Messages];
            if (agentCase.Vars.TryGetValue("stream", out var stream) && stream.GetBoolean())
            {
                var text = new System.Text.StringBuilder();
                await foreach (var update in agentCase.ChatClient.GetStreamingResponseAsync(messages, cancellationToken: cancellationToken))
                {
                    text.Append(update.Text);
                }

                return text.ToString();
            }

            var response = await agentCase.ChatClient.GetResponseAsync(messages, cancellationToken: cancellationToken);
            return response.Text;
        }
    }

    /// <summary>An agent on a client of its own: the official OpenAI SDK pointed at <see cref="AgentCase.OpenAIBaseUrl"/>.</summary>
    private sealed class OwnClientGreeter : IAgentUnderTest
    {
        public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
        {
            var client = new OpenAI.Chat.ChatClient("gpt-4o-mini", new System.ClientModel.ApiKeyCredential("sk-own-client"), new OpenAI.OpenAIClientOptions { Endpoint = agentCase.OpenAIBaseUrl });
            OpenAI.Chat.ChatMessage[] messages = [OpenAI.Chat.ChatMessage.CreateSystemMessage(Greeter.Prompt), OpenAI.Chat.ChatMessage.CreateUserMessage(agentCase.Messages[^1].Text)];
            var completion = await client.CompleteChatAsync(messages, cancellationToken: cancellationToken);
            return completion.Value.Content[0].Text;
        }
    }
}
