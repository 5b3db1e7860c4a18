using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Core.Application;
using EvalHarness.Core.Results;
using EvalHarness.Core.UnderTest;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using EvalHarness.Xunit;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Xunit;

/// <summary>
/// The Microsoft Agent Framework example (examples/dotnet-agent/framework-suite.yaml): <c>PolicyAgent</c>, an
/// <see cref="AIAgent"/> around a <see cref="ChatClientAgent"/> with one tool, loaded as it is, with no adapter, from the
/// suite's YAML and from the xunit integration; recorded from the scripted upstream and replayed.
/// </summary>
public sealed class FrameworkAgentExampleTests : CliTest
{
    private const string SuiteFile = "examples/dotnet-agent/framework-suite.yaml";

    private static readonly Lazy<Type> PolicyAgentType = new(() =>
        AgentAssembly.Load(Path.Combine(RepoPaths.Example("dotnet-agent"), "bin", "ExpenseDesk.dll")).GetType("ExpenseDesk.PolicyAgent", throwOnError: true)!);

    private static int s_built;

    // What a team's test project writes with its agent project referenced: chatClient => new PolicyAgent(chatClient).
    // This one has the example's built assembly loaded as the suite loads it, and counts the agents it builds.
    private static readonly Func<IChatClient, AIAgent> NewPolicyAgent = chatClient =>
    {
        Interlocked.Increment(ref s_built);
        return (AIAgent)Activator.CreateInstance(PolicyAgentType.Value, chatClient)!;
    };

    private static string Example => RepoPaths.Example("dotnet-agent");

    [Theory]
    [SuiteCases(SuiteFile)]
    public Task Replay_TheSuiteNamesTheAIAgentType_Passes(string suite, string cassettes, string caseId) =>
        SuiteReplay.AssertPassesAsync(suite, cassettes, caseId);

    [Theory]
    [SuiteCases(SuiteFile)]
    public Task Replay_TheAIAgentGivenInCode_Passes(string suite, string cassettes, string caseId) =>
        SuiteReplay.AssertPassesAsync(suite, cassettes, caseId, NewPolicyAgent);

    [Fact]
    public async Task AssertPassesAsync_AnAIAgentFactoryGivenInCode_BuildsOnePerCaseAndPasses()
    {
        string[] cases = ["hotel-limit", "dinner-within-limit", "not-covered", "taxi-then-meals"];
        foreach (var scenario in cases)
        {
            await SuiteReplay.AssertPassesAsync(SuiteFile, "examples/dotnet-agent/cassettes", $"framework-agent/default/{scenario}/t1", NewPolicyAgent);
        }

        // One run of the suite for the four cases (the same delegate, shared with the theory above), an agent built for
        // each case on its chat client.
        Assert.Equal(cases.Length, s_built);
    }

    [Fact]
    public async Task Evaluation_FrameworkSuite_ScoresTheToolCallsReadFromTheAgentResponse()
    {
        var result = await Evaluation.RunAsync(
            Path.Combine(Example, "framework-suite.yaml"),
            new EvaluationOptions { CassetteDirectory = Path.Combine(Example, "cassettes"), ReportsDirectory = Temp.Path },
            Ct);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(
            [
                "hotel-limit: get_expense_limit {\"category\":\"hotel\"} → {\"category\":\"hotel\",\"limit_eur\":150} ok",
                "dinner-within-limit: get_expense_limit {\"category\":\"meals\"} → {\"category\":\"meals\",\"limit_eur\":50} ok",
                "not-covered: get_expense_limit {\"category\":\"jet ski\"} → {\"category\":\"jet ski\",\"error\":\"no policy for this category: it is not covered\"} error",
                "taxi-then-meals: get_expense_limit {\"category\":\"taxi\"} → {\"category\":\"taxi\",\"limit_eur\":80} ok",
                "taxi-then-meals: get_expense_limit {\"category\":\"meals\"} → {\"category\":\"meals\",\"limit_eur\":50} ok",
            ],
            result.Run.Cases.SelectMany(c => c.ToolCalls.Select(t => $"{c.Scenario}: {t.Tool} {t.Arguments} → {Compact(t.Result)} {t.Status}")));
        Assert.All(result.Run.Cases, c =>
        {
            Assert.True(c.Passed, Failures(c));
            Assert.Contains(c.Verdicts, v => v.Kind.EndsWith("tools.called", StringComparison.Ordinal) && v.Passed);
            Assert.Equal(c.ToolCalls.Count + (c.Dialogue?.Turns.Count ?? 1), c.Steps); // a call per tool call, and one to answer each turn
            Assert.True(c.InputTokens > 0 && c.OutputTokens > 0 && c.CostUsd > 0, $"{c.CassetteId}: {c.InputTokens}/{c.OutputTokens} {c.CostUsd}");
        });

        // The conversation's turns, each with its own answer and tool call, checked turn by turn.
        var conversation = result.Run.Cases.Single(c => c.Scenario == "taxi-then-meals");
        Assert.Equal(["A taxi ride can cost up to 80 EUR.", "A meal can cost up to 50 EUR."], conversation.Dialogue!.Turns.Select(t => t.Output));
        Assert.Equal(
            ["Turn 1: get_expense_limit was called with category=\"taxi\" at step 1.", "Turn 2: get_expense_limit was called with category=\"meals\" at step 1."],
            conversation.Verdicts.Where(v => v.Kind.EndsWith("tools.called", StringComparison.Ordinal)).Select(v => v.Reason));
    }

    [Fact]
    public async Task Record_ThroughTheScriptedUpstream_WritesTheCassettesAndTheConversationSendsItsHistoryOnce()
    {
        CopyExample();

        Assert.Equal(ExitCodes.Ok, await Evalh("record", Temp.Combine("framework-suite.yaml"), "--upstream", "scripted", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports")));

        var store = new CassetteStore(Temp.Combine("cassettes"));
        Assert.All(["hotel-limit", "dinner-within-limit", "not-covered", "taxi-then-meals"], s => Assert.NotNull(store.Load($"framework-agent/default/{s}/t1")));
        // One agent session for the conversation: the second turn's first request holds the first turn once, with its
        // tool call and result as the agent had them, and then the new question.
        var conversation = store.Load("framework-agent/default/taxi-then-meals/t1")!;
        Assert.Equal(4, conversation.Interactions.Count);
        var roles = conversation.Interactions[2].Request.Body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToList();
        Assert.Equal(["system", "user", "assistant", "tool", "assistant", "user"], roles);

        Assert.Equal(ExitCodes.Ok, await Evalh("run", Temp.Combine("framework-suite.yaml"), "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports")));
    }

    [Fact]
    public async Task Record_TheScriptAsksForAnotherCategory_FailsTheToolExpectation()
    {
        CopyExample();
        var script = Temp.Combine("scripts", "framework-agent.yaml");
        await File.WriteAllTextAsync(script, (await File.ReadAllTextAsync(script, Ct)).Replace("{ category: hotel }", "{ category: motel }", StringComparison.Ordinal), Ct);

        var recorded = await RunCopyAsync(upstream: "scripted");

        Assert.Equal(ExitCodes.Failed, recorded.ExitCode);
        var hotel = recorded.Run.Cases.Single(c => c.Scenario == "hotel-limit");
        Assert.Equal("""{"category":"motel"}""", hotel.ToolCalls.Single().Arguments);
        Assert.Contains(hotel.Verdicts, v => v is { Kind: "tools.called", Passed: false } && v.Reason.Contains("get_expense_limit", StringComparison.Ordinal));
        Assert.All(recorded.Run.Cases.Where(c => c != hotel), c => Assert.True(c.Passed, Failures(c)));
    }

    [Fact]
    public async Task Replay_TheRecordedModelAskedForAnotherCategory_IsAMissNamingTheArgument()
    {
        CopyExample();
        RepoPaths.CopyTree(Path.Combine(Example, "cassettes", "framework-agent"), Temp.Combine("cassettes", "framework-agent"));
        // The recording's model asked the tool for hotel; now its answer asks for motel, so the agent's next request
        // (that call and the tool's answer) is not the one recorded.
        var file = new CassetteStore(Temp.Combine("cassettes")).PathFor("framework-agent/default/hotel-limit/t1");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!;
        var call = json["interactions"]![0]!["response"]!["body"]!["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!;
        call["arguments"] = ((string)call["arguments"]!).Replace("hotel", "motel", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, json.ToJsonString(), Ct);

        var replayed = await RunCopyAsync();

        Assert.Equal(ExitCodes.InputError, replayed.ExitCode);
        var hotel = replayed.Run.Cases.Single(c => c.Scenario == "hotel-limit");
        Assert.Contains(
            "interaction #2: the request differs from the recording at $.messages[2].tool_calls[0].function.arguments",
            hotel.Error,
            StringComparison.Ordinal);
        Assert.All(replayed.Run.Cases.Where(c => c != hotel), c => Assert.True(c.Passed, Failures(c)));
    }

    private Task<SuiteEvaluationResult> RunCopyAsync(string? upstream = null) => Evaluation.RunAsync(
        Temp.Combine("framework-suite.yaml"),
        new EvaluationOptions { CassetteDirectory = Temp.Combine("cassettes"), ReportsDirectory = Temp.Combine("reports"), Upstream = upstream },
        Ct);

    /// <summary>The example as a team has it: its suite, its script and the built agent (not its cassettes).</summary>
    private void CopyExample()
    {
        File.Copy(Path.Combine(Example, "framework-suite.yaml"), Temp.Combine("framework-suite.yaml"));
        Directory.CreateDirectory(Temp.Combine("scripts"));
        File.Copy(Path.Combine(Example, "scripts", "framework-agent.yaml"), Temp.Combine("scripts", "framework-agent.yaml"));
        RepoPaths.CopyTree(Path.Combine(Example, "bin"), Temp.Combine("bin"));
    }

    private static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();

    private static string Failures(CaseResult c) =>
        $"{c.CassetteId}: {c.Error} {string.Join("; ", c.Verdicts.Where(v => !v.Passed).Select(v => v.Reason))}";
}
