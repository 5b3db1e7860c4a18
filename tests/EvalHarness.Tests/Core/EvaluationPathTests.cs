using EvalHarness.Core.Application;
using EvalHarness.Core.UnderTest;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using EvalHarness.Xunit;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>
/// The one path from a suite to a verdict, as each front end takes it: the library call, the xunit integration. Each
/// test here is a bug the copies of that path had before there was one (issue 25).
/// </summary>
public sealed class EvaluationPathTests : IDisposable
{
    private const string PairSuite = """
        suite: pair
        agent:
          model: openai:gpt-4o-mini
          dotnet: {}
        cassettes: { match: unordered }
        scenarios:
          - name: both
            input: "go"
            expect: { output: { contains: ["one two"] } }
        """;

    private const string PairScript = """
        default:
          both:
            - text: "one"
            - text: "two"
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Records <paramref name="suite"/> from its script with <paramref name="agent"/>, into this test's folders.</summary>
    private Task<SuiteEvaluationResult> RecordAsync(string suite, IAgentUnderTest agent) => Evaluation.RunAsync(suite, new EvaluationOptions
    {
        CassetteDirectory = _temp.Combine("cassettes"),
        ReportsDirectory = _temp.Combine("reports"),
        Upstream = "scripted",
        Agent = OwnAgent.FromFactory(() => agent),
    }, Ct);

    [Fact]
    public async Task SuiteReplay_UnorderedSuite_MatchesAsEvalhRunDoes()
    {
        var suite = _temp.Write("suite.yaml", PairSuite);
        _temp.Write("scripts/pair.yaml", PairScript);
        var recorded = await RecordAsync(suite, new Pair(reverse: false));
        Assert.Equal(0, recorded.ExitCode);

        // The same two requests in the other order: the suite's match: unordered finds each its recording.
        var replayed = await SuiteReplay.RunAsync(suite, _temp.Combine("cassettes"), "pair/default/both/t1", OwnAgent.FromFactory(() => new Pair(reverse: true)));

        Assert.Null(replayed.Error);
        Assert.True(replayed.Passed, string.Join("; ", replayed.Verdicts.Select(v => v.Reason)));
    }

    [Fact]
    public async Task SuiteReplay_TwoAgentsWithTheDefaultDescription_EachGetsItsOwnResults()
    {
        var suite = _temp.Write("suite.yaml", """
            suite: named
            agent: { model: openai:gpt-4o-mini, dotnet: {} }
            scenarios:
              - name: who
                input: "who are you?"
            """);
        Directory.CreateDirectory(_temp.Combine("cassettes"));

        var alpha = await SuiteReplay.RunAsync(suite, _temp.Combine("cassettes"), "named/default/who/t1", OwnAgent.FromFactory(() => new Constant("alpha")));
        var beta = await SuiteReplay.RunAsync(suite, _temp.Combine("cassettes"), "named/default/who/t1", OwnAgent.FromFactory(() => new Constant("beta")));

        Assert.Equal(("alpha", "beta"), (alpha.FinalOutput, beta.FinalOutput));
    }

    [Fact]
    public async Task Evaluation_JudgeOnAnotherProviderThanAVariant_IsCalledThroughItsOwnProvidersProtocol()
    {
        var suite = _temp.Write("suite.yaml", """
            suite: judged
            agent: { model: openai:gpt-4o-mini, dotnet: {} }
            variants:
              - name: default
              - name: claude
                model: anthropic:claude-haiku-4-5
            scenarios:
              - name: s
                input: "hello"
                expect:
                  judge: { rubric: "Greets back.", min_score: 0.5, model: "openai:gpt-4o-mini" }
            """);
        _temp.Write("scripts/judged.yaml", """
            default:
              s:
                agent:
                  - text: "Hello!"
                judge:
                  - text: '{"score": 1, "reason": "Greets back."}'
            """);

        var recorded = await RecordAsync(suite, new Pair(reverse: false, calls: 1));

        Assert.Equal(0, recorded.ExitCode);
        var judge = await File.ReadAllTextAsync(_temp.Combine("cassettes", "judged", "claude", "s", "t1", "judge.json"), Ct);
        Assert.Contains("\"path\": \"v1/chat/completions\"", judge, StringComparison.Ordinal);
        Assert.DoesNotContain("v1/messages", judge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluation_Recording_IsNotAddedToTheHistory()
    {
        var suite = _temp.Write("suite.yaml", PairSuite);
        _temp.Write("scripts/pair.yaml", PairScript);

        var recorded = await RecordAsync(suite, new Pair(reverse: false));
        var replayed = await Evaluation.RunAsync(suite, new EvaluationOptions
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine("reports"),
            Agent = OwnAgent.FromFactory(() => new Pair(reverse: false)),
        }, Ct);

        Assert.Equal((0, 0), (recorded.ExitCode, replayed.ExitCode));
        var history = Assert.Single(Directory.GetFiles(_temp.Combine("reports", "history"), "*.csv", SearchOption.AllDirectories));
        var rows = (await File.ReadAllLinesAsync(history, Ct)).Skip(1).ToList();
        Assert.Single(rows); // the replay's one case; the recording is not a measurement of the agent
        Assert.Contains(replayed.Run.RunId, rows[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuiteReplay_ACassetteMiss_ReadsAsNotJudgedAndSaysWhatChanged()
    {
        var suite = _temp.Write("suite.yaml", PairSuite.Replace("cassettes: { match: unordered }\n", string.Empty, StringComparison.Ordinal));
        _temp.Write("scripts/pair.yaml", PairScript);
        await RecordAsync(suite, new Pair(reverse: false));

        var failure = await Assert.ThrowsAsync<global::Xunit.Sdk.FailException>(() =>
            SuiteReplay.AssertPassesAsync(suite, _temp.Combine("cassettes"), "pair/default/both/t1", OwnAgent.FromFactory(() => new Pair(reverse: true))));

        Assert.StartsWith("pair/default/both/t1 could not be judged: its requests no longer match its recording (a cassette miss: nothing was judged)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("differs from the recording at $.messages[0].content (the user's message (message 1)): recorded \"first\", got \"second\"", failure.Message, StringComparison.Ordinal);
        Assert.Contains("if not, the agent's behaviour changed: fix that instead", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("The agent gave no answer", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluation_VariantsWithTheirOwnPromptAndVars_AreGivenToACSharpAgent()
    {
        var suite = _temp.Write("suite.yaml", """
            suite: prompts
            agent:
              model: openai:gpt-4o-mini
              dotnet: {}
              vars: { tone: plain }
            variants:
              - name: v1
                system_prompt: "Answer briefly."
              - name: v2
                system_prompt: "Answer warmly."
                vars: { tone: warm }
            scenarios:
              - name: s
                input: "hi"
                vars: { customer: ada }
            """);
        Directory.CreateDirectory(_temp.Combine("cassettes"));

        var result = await Evaluation.RunAsync(suite, new EvaluationOptions
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine("reports"),
            Agent = OwnAgent.FromFactory(() => new Echo()),
        }, Ct);

        Assert.Equal(
            ["v1: Answer briefly. customer=ada tone=plain", "v2: Answer warmly. customer=ada tone=warm"],
            result.Run.Cases.Select(c => $"{c.Variant}: {c.FinalOutput}"));
    }

    [Fact]
    public async Task SuiteCases_TestRows_NameTheSuiteAsWrittenNotByAnAbsolutePath()
    {
        var attribute = new SuiteCasesAttribute("examples/dotnet-agent/suite.yaml");

        var rows = await attribute.GetData(typeof(EvaluationPathTests).GetMethod(nameof(Dispose))!, new());

        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.All(row.GetData().OfType<string>(), argument => Assert.False(Path.IsPathRooted(argument), argument)));
    }

    /// <summary>Asks the model once or twice, in one order or the other, and answers what it said, in the first order.</summary>
    private sealed class Pair(bool reverse, int calls = 2) : IAgentUnderTest
    {
        public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
        {
            var questions = new[] { "first", "second" }.Take(calls).ToList();
            var answers = new Dictionary<string, string>();
            foreach (var question in reverse ? Enumerable.Reverse(questions) : questions)
            {
                answers[question] = (await agentCase.ChatClient.GetResponseAsync([new ChatMessage(ChatRole.User, question)], cancellationToken: cancellationToken)).Text;
            }

            return string.Join(' ', questions.Select(q => answers[q]));
        }
    }

    /// <summary>Answers with the prompt and vars it was given.</summary>
    private sealed class Echo : IAgentUnderTest
    {
        public Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default) =>
            Task.FromResult<AgentReport>($"{agentCase.SystemPrompt} {string.Join(' ', agentCase.Vars.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.GetString()}"))}");
    }

    private sealed class Constant(string output) : IAgentUnderTest
    {
        public Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default) => Task.FromResult<AgentReport>(output);
    }
}

/// <summary>Tests that set a process-wide environment variable: run alone, so no other test sees it.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class EvaluationLiveKeyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Evaluation_RecordingFromAnUpstreamUrl_SendsTheKeyFromTheEnvironment()
    {
        using var upstream = WireMockUpstream.Start();
        upstream.Given(WireMock.RequestBuilders.Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("content-type", "application/json").WithBody("""
                {"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
                """));
        var suite = _temp.Write("suite.yaml", """
            suite: keyed
            agent: { model: openai:gpt-4o-mini, dotnet: {} }
            scenarios:
              - name: s
                input: "hello"
            """);
        var saved = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", "sk-evalh-test-0123456789abcdef");
        try
        {
            var recorded = await Evaluation.RunAsync(suite, new EvaluationOptions
            {
                CassetteDirectory = _temp.Combine("cassettes"),
                ReportsDirectory = _temp.Combine("reports"),
                Upstream = upstream.BaseAddress().ToString(),
                Agent = OwnAgent.FromFactory(() => new Ask()),
            }, TestContext.Current.CancellationToken);

            Assert.Equal(0, recorded.ExitCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", saved);
        }

        var request = Assert.Single(upstream.LogEntries).RequestMessage;
        Assert.Equal("Bearer sk-evalh-test-0123456789abcdef", request.Headers!["Authorization"].Single());
        Assert.DoesNotContain("sk-evalh-test", await File.ReadAllTextAsync(_temp.Combine("cassettes", "keyed", "default", "s.t1.json"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private sealed class Ask : IAgentUnderTest
    {
        public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default) =>
            (await agentCase.ChatClient.GetResponseAsync([new ChatMessage(ChatRole.User, agentCase.Input)], cancellationToken: cancellationToken)).Text;
    }
}
