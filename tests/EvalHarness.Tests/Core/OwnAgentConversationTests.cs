using EvalHarness.Core.Application;
using System.Collections.Concurrent;
using System.Text.Json;
using EvalHarness.Core.UnderTest;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>
/// A C# agent in a conversation: one instance for the whole conversation, called once per user turn with the
/// conversation so far; scripted turns and a simulated user, recorded from the scripted upstream and replayed.
/// </summary>
public sealed class OwnAgentConversationTests : IDisposable
{
    private const string Suite = """
        suite: desk
        agent:
          model: openai:gpt-4o-mini
          dotnet: {}
        scenarios:
          - name: scripted
            conversation:
              - "Hello, I'm Ada."
              - user: "What is my name?"
                expect: { output: { contains: [Ada] } }
              - user: "Thanks, bye."
                expect: { output: { contains: [Bye] } }
            expect:
              dialogue: { ended_by: script, max_turns: 3 }
              state: { turns_seen: 3 }
          - name: simulated
            user:
              instructions: "You are Grace. Ask the desk for the opening hours, then leave."
              max_turns: 4
            expect:
              output: { contains: [nine] }
              dialogue: { ended_by: user }
        """;

    private const string Script = """
        default:
          scripted:
            - text: "Hello Ada!"
            - text: "Your name is Ada."
            - text: "Bye, Ada!"
          simulated:
            user:
              - text: "Hi, when are you open?"
              - text: "Great, thanks! ###STOP###"
            agent:
              - text: "We are open from nine to five."
        """;

    private readonly TempDirectory _temp = new();

    public OwnAgentConversationTests()
    {
        _temp.Write("suite.yaml", Suite);
        _temp.Write("scripts/desk.yaml", Script);
    }

    public void Dispose() => _temp.Dispose();

    private Task<SuiteEvaluationResult> RunAsync(Func<IAgentUnderTest> agent, string? upstream = null) => Evaluation.RunAsync(
        _temp.Combine("suite.yaml"),
        new EvaluationOptions
        {
            CassetteDirectory = _temp.Combine("cassettes"),
            ReportsDirectory = _temp.Combine("reports"),
            Upstream = upstream,
            Agent = OwnAgent.FromFactory(agent, "dotnet: desk"),
        },
        TestContext.Current.CancellationToken);

    [Fact]
    public async Task ACSharpAgent_IsOneInstancePerConversation_CalledPerTurnWithTheConversationSoFar()
    {
        var calls = new ConcurrentQueue<(int Instance, int Turn, string Messages, string? State)>();
        var made = 0;
        Func<IAgentUnderTest> factory = () => new Desk(Interlocked.Increment(ref made), calls);
        Assert.Equal(0, (await RunAsync(factory, upstream: "scripted")).ExitCode);
        calls.Clear();

        var replayed = await RunAsync(factory);

        Assert.Equal(0, replayed.ExitCode);
        var scripted = calls.Where(c => c.Turn > 0 && c.Messages.StartsWith("user:Hello", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["user:Hello, I'm Ada.", "user:Hello, I'm Ada.|assistant:Hello Ada!|user:What is my name?", "user:Hello, I'm Ada.|assistant:Hello Ada!|user:What is my name?|assistant:Your name is Ada.|user:Thanks, bye."],
            scripted.Select(c => c.Messages));
        Assert.Equal([1, 2, 3], scripted.Select(c => c.Turn));
        Assert.Single(scripted.Select(c => c.Instance).Distinct()); // one agent for the whole conversation
        Assert.Equal([null, "{\"turns_seen\":1}", "{\"turns_seen\":2}"], scripted.Select(c => c.State)); // the previous turn's state comes back

        var dialogue = replayed.Run.Cases.Single(c => c.Scenario == "scripted").Dialogue!;
        Assert.Equal(["Hello Ada!", "Your name is Ada.", "Bye, Ada!"], dialogue.Turns.Select(t => t.Output));
        Assert.Equal([1, 1, 1], dialogue.Turns.Select(t => t.Steps)); // from each turn's own model calls

        var simulated = replayed.Run.Cases.Single(c => c.Scenario == "simulated");
        Assert.Equal("user", simulated.Dialogue!.EndedBy);
        Assert.Equal(["Hi, when are you open?"], simulated.Dialogue.Turns.Select(t => t.User));
        Assert.Equal("Great, thanks! ###STOP###", simulated.Dialogue.Closing);
    }

    [Fact]
    public async Task ATurnThatThrows_EndsTheConversationAsAnErrorOfTheCase()
    {
        Assert.Equal(0, (await RunAsync(() => new Desk(1, new()), upstream: "scripted")).ExitCode);

        var replayed = await RunAsync(() => new Desk(1, new(), failOnTurn: 2));

        var scripted = replayed.Run.Cases.Single(c => c.Scenario == "scripted");
        Assert.Equal("The agent threw InvalidOperationException on turn 2: turn 2 broke", scripted.Error);
        Assert.Equal(["completed", "failed"], scripted.Dialogue!.Turns.Select(t => t.Outcome)); // turn 1 is kept
        Assert.Equal("agent", scripted.Dialogue.EndedBy);
    }

    /// <summary>A desk agent that sends the conversation as given and counts the turns it has seen in its state.</summary>
    private sealed class Desk(int instance, ConcurrentQueue<(int, int, string, string?)> calls, int failOnTurn = 0) : IAgentUnderTest
    {
        public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
        {
            calls.Enqueue((instance, agentCase.Turn, string.Join('|', agentCase.Messages.Select(m => $"{m.Role}:{m.Text}")), agentCase.State?.GetRawText()));
            if (agentCase.Turn == failOnTurn)
            {
                throw new InvalidOperationException($"turn {failOnTurn} broke");
            }

            var response = await agentCase.ChatClient.GetResponseAsync([new(ChatRole.System, "You are a help desk."), .. agentCase.Messages], cancellationToken: cancellationToken);
            return new AgentReport { Output = response.Text, State = JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["turns_seen"] = agentCase.Turn }) };
        }
    }
}
