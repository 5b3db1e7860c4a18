using System.Runtime.Loader;
using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;
using EvalHarness.Tests.Support;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>
/// A Microsoft Agent Framework agent run as it is (<see cref="FrameworkAgent"/>): how a suite names one, what is read
/// from its <see cref="AgentResponse"/>, and one session for a conversation.
/// </summary>
public sealed class FrameworkAgentTests : IDisposable
{
    private const string Suite = """
        suite: framework
        agent:
          model: openai:gpt-4o-mini
          dotnet: { type: TYPE }
        scenarios:
          - name: hello
            input: hi
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string SuitePath => _temp.Combine("suite.yaml");

    [Fact]
    public void Parse_AIAgentWithNeitherAChatClientConstructorNorCreate_FailsAtTheTypeSayingWhatToAdd()
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(SuitePath, Suite.Replace("TYPE", typeof(Unbuildable).FullName, StringComparison.Ordinal)));

        Assert.Equal((SuitePath, 4, 19), (error.File, error.Line, error.Column));
        Assert.Equal(
            $"'{typeof(Unbuildable).FullName}' is a Microsoft Agent Framework agent (it derives from AIAgent) that the harness cannot build on the case's chat client: "
            + "give it a public constructor taking an IChatClient (public Unbuildable(IChatClient chatClient) : base(chatClient, …)), "
            + "or a public static Create(IChatClient chatClient) that returns the AIAgent.",
            error.Detail);
    }

    [Fact]
    public async Task Parse_TypeWithAStaticCreate_RunsTheAgentItReturnsOnTheCasesChatClient()
    {
        var own = SuiteLoader.Parse(SuitePath, Suite.Replace("TYPE", typeof(Created).FullName, StringComparison.Ordinal)).Variants[0].Agent.Own!;
        using var chat = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello."))) };

        var agent = Assert.IsType<FrameworkAgent>(own.Create());
        var report = await agent.RunAsync(Case(chat, new ChatMessage(ChatRole.User, "hi")), TestContext.Current.CancellationToken);

        Assert.Equal($"dotnet: {typeof(Created).FullName}", own.Description);
        Assert.Equal("Hello.", report.Output);
        Assert.Equal(["user: hi"], chat.Requests.Single().Select(m => $"{m.Role}: {m.Text}"));
    }

    [Fact]
    public void Load_TheExampleAgent_RunsOnTheHarnesssAgentFramework()
    {
        var type = AgentAssembly.Load(Path.Combine(RepoPaths.Example("dotnet-agent"), "bin", "ExpenseDesk.dll")).GetType("ExpenseDesk.PolicyAgent", throwOnError: true)!;

        // Always the harness's copies, whatever version the agent was built on, so AIAgent is one type on both sides.
        Assert.True(AgentLoadContext.IsShared("Microsoft.Agents.AI") && AgentLoadContext.IsShared("Microsoft.Agents.AI.Abstractions"));
        Assert.IsType<AgentLoadContext>(AssemblyLoadContext.GetLoadContext(type.Assembly));
        Assert.Same(typeof(AIAgent).Assembly, type.BaseType!.BaseType!.Assembly);
        Assert.NotNull(FrameworkAgent.FactoryOf(type));
    }

    [Fact]
    public async Task DisposeAsync_TheAgentBuiltForTheCaseIsDisposable_DisposesIt()
    {
        using var chat = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello."))) };
        Disposable? built = null;
        var agent = new FrameworkAgent(c => built = new Disposable(c));
        await agent.RunAsync(Case(chat, new ChatMessage(ChatRole.User, "hi")), TestContext.Current.CancellationToken);

        await agent.DisposeAsync();

        Assert.True(built!.Disposed);
    }

    [Fact]
    public async Task RunAsync_AConversationWithASystemPrompt_KeepsOneSessionAndSendsEachMessageOnce()
    {
        using var chat = new TestChatClient();
        var answers = new Queue<string>(["Taxi: 80 EUR.", "Meals: 50 EUR."]);
        chat.OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answers.Dequeue())));
        var agent = new FrameworkAgent(c => new ChatClientAgent(c, instructions: "Answer about limits."));
        ChatMessage first = new(ChatRole.User, "Taxi?");

        var one = await agent.RunAsync(Case(chat, first) with { SystemPrompt = "Be brief." }, TestContext.Current.CancellationToken);
        // As OwnConversation gives a turn: the conversation so far, with the agent's reply as it reported it.
        var two = await agent.RunAsync(
            Case(chat, first, new ChatMessage(ChatRole.Assistant, one.Output), new ChatMessage(ChatRole.User, "Meals?")) with { Turn = 2, SystemPrompt = "Be brief." },
            TestContext.Current.CancellationToken);

        Assert.Equal(("Taxi: 80 EUR.", "Meals: 50 EUR."), (one.Output, two.Output));
        // The suite's system prompt before the first message; on turn 2 only the new question, after the session's history.
        Assert.Equal(["system: Be brief.", "user: Taxi?"], chat.Requests[0].Select(m => $"{m.Role}: {m.Text}"));
        Assert.Equal(["system: Be brief.", "user: Taxi?", "assistant: Taxi: 80 EUR.", "user: Meals?"], chat.Requests[1].Select(m => $"{m.Role}: {m.Text}"));
    }

    [Fact]
    public void Read_AResponseWithToolCalls_ReportsTheCallsWithArgumentsResultsStepsAndTokens()
    {
        var response = new AgentResponse(
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_limit", new Dictionary<string, object?> { ["category"] = "taxi" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", new Dictionary<string, object> { ["limit_eur"] = 80 })]),
            new ChatMessage(ChatRole.Assistant,
            [
                new FunctionCallContent("c2", "get_limit", new Dictionary<string, object?> { ["category"] = "yacht" }),
                new FunctionCallContent("c3", "book", new Dictionary<string, object?>()),
            ]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c2", "Error: Function failed.") { Exception = new InvalidOperationException("no such category") }]),
            new ChatMessage(ChatRole.Assistant, "Taxis: up to 80 EUR."),
        ])
        {
            Usage = new UsageDetails { InputTokenCount = 120, OutputTokenCount = 30 },
        };

        var report = FrameworkAgent.Read(response);

        Assert.Equal("Taxis: up to 80 EUR.", report.Output);
        Assert.Equal(
            [
                new ToolCallResult(1, "get_limit", """{"category":"taxi"}""", """{"limit_eur":80}""", IsError: false),
                new ToolCallResult(2, "get_limit", """{"category":"yacht"}""", "Error: Function failed.", IsError: true, "error"),
                new ToolCallResult(2, "book", "{}", string.Empty, IsError: false, "no_result"),
            ],
            report.ToolCalls);
        Assert.Equal((3, 120L, 30L), (report.Steps, report.InputTokens, report.OutputTokens));
        // What the response does not say is left to the recorded traffic.
        Assert.Equal((null, null, null), (report.CostUsd, report.Transcript, report.Trace));
    }

    private static AgentCase Case(IChatClient chat, params ChatMessage[] messages) => new()
    {
        CaseId = "framework/default/hello/t1",
        Suite = "framework",
        Variant = "default",
        Trial = 1,
        Scenario = "hello",
        Messages = messages,
        Model = new ModelRef("openai", "gpt-4o-mini"),
        ChatClient = chat,
        CassetteBaseUrl = new Uri("http://127.0.0.1:1/c/framework/default/hello/t1/"),
        OpenAIBaseUrl = new Uri("http://127.0.0.1:1/c/framework/default/hello/t1/v1"),
        AnthropicBaseUrl = new Uri("http://127.0.0.1:1/c/framework/default/hello/t1/"),
        OpenAIApiKey = "replay",
        AnthropicApiKey = "replay",
        Time = TimeProvider.System,
    };

    // These are not public, so that the test assembly's list of agents (OwnAgentSuiteTests) stays as it was.

    /// <summary>An Agent Framework agent the harness cannot build: no constructor takes a chat client, and no Create.</summary>
    internal sealed class Unbuildable() : DelegatingAIAgent(new ChatClientAgent(new TestChatClient()));

    /// <summary>An agent that holds something to release after its case.</summary>
    internal sealed class Disposable(IChatClient chatClient) : DelegatingAIAgent(new ChatClientAgent(chatClient)), IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    /// <summary>The factory form: a static Create that builds a plain <see cref="ChatClientAgent"/>.</summary>
    internal static class Created
    {
        public static ChatClientAgent Create(IChatClient chatClient) => new(chatClient, instructions: "Answer about limits.");
    }
}
