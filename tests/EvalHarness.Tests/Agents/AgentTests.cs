using EvalHarness.Agents.Runtime;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;
using static EvalHarness.Tests.Support.TestChatClient;

namespace EvalHarness.Tests.Agents;

public sealed class AgentTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static AgentOptions Options(int maxSteps = 5, params AIFunction[] tools) => new("test-model", "You are a test.", tools, maxSteps);

    [Fact]
    public async Task RunAsync_ModelAnswersInText_CompletesInOneStep()
    {
        var client = Scripted(Text("Hello there.", input: 12, output: 3));

        var run = await new Agent(client, Options()).RunAsync("Hi", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Equal("Hello there.", run.FinalText);
        Assert.Equal(1, run.Steps);
        Assert.Equal(new TokenUsage(12, 3), run.Usage);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant], run.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task RunAsync_ModelCallsTool_RunsItAndSendsTheResultBack()
    {
        string? seen = null;
        var lookup = AIFunctionFactory.Create((string order_id) => { seen = order_id; return $"order {order_id} is shipped"; }, "lookup_order");
        var client = Scripted(Calls(Call("call_1", "lookup_order", ("order_id", "A1"))), Text("It has shipped."));

        var run = await new Agent(client, Options(tools: lookup)).RunAsync("Where is A1?", Ct);

        Assert.Equal("A1", seen);
        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Equal(2, run.Steps);
        var call = Assert.Single(run.ToolCalls);
        Assert.Equal(("lookup_order", "call_1", 1, false), (call.Name, call.CallId, call.Step, call.IsError));
        Assert.Equal("""{"order_id":"A1"}""", call.ArgumentsJson);
        var result = Assert.Single(client.Requests[1].Last().Contents.OfType<FunctionResultContent>());
        Assert.Equal(("call_1", "order A1 is shipped"), (result.CallId, result.Result as string));
        Assert.Equal(new TokenUsage(20, 10), run.Usage);
    }

    [Fact]
    public async Task RunAsync_SeveralCallsInOneTurn_RunsAllInModelOrder()
    {
        var order = new List<string>();
        var a = AIFunctionFactory.Create(() => { order.Add("a"); return "A"; }, "tool_a");
        var b = AIFunctionFactory.Create(() => { order.Add("b"); return "B"; }, "tool_b");
        var client = Scripted(Calls(Call("1", "tool_b"), Call("2", "tool_a")), Text("done"));

        var run = await new Agent(client, Options(5, a, b)).RunAsync("go", Ct);

        Assert.Equal(["b", "a"], order);
        Assert.Equal(["1", "2"], client.Requests[1].Last().Contents.OfType<FunctionResultContent>().Select(r => r.CallId));
        Assert.Equal(2, run.ToolCalls.Count);
    }

    [Fact]
    public async Task RunAsync_ModelNeverAnswers_EndsWithMaxSteps()
    {
        var tool = AIFunctionFactory.Create(() => "again", "loop");
        var client = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(Calls(Call(Guid.NewGuid().ToString(), "loop"))) };

        var run = await new Agent(client, Options(3, tool) with { LoopDetection = null }).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.MaxSteps, run.Outcome);
        Assert.Equal(3, run.Steps);
        Assert.Equal(3, client.Requests.Count);
        Assert.Contains("max_steps (3)", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownTool_ShowsTheModelAnErrorAndGoesOn()
    {
        var known = AIFunctionFactory.Create(() => "ok", "known_tool");
        var client = Scripted(Calls(Call("c1", "made_up_tool")), Text("Sorry."));

        var run = await new Agent(client, Options(tools: known)).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        var call = Assert.Single(run.ToolCalls);
        Assert.True(call.IsError);
        Assert.Contains("no tool named 'made_up_tool'", call.Result, StringComparison.Ordinal);
        Assert.Contains("known_tool", call.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ToolThrows_ShowsTheModelTheErrorInsteadOfCrashing()
    {
        var failing = AIFunctionFactory.Create(string () => throw new InvalidOperationException("There is no order 'Z9'."), "lookup_order");
        var client = Scripted(Calls(Call("c1", "lookup_order")), Text("I could not find it."));

        var run = await new Agent(client, Options(tools: failing)).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        var call = Assert.Single(run.ToolCalls);
        Assert.True(call.IsError);
        Assert.Equal("Error: There is no order 'Z9'.", call.Result);
    }

    [Fact]
    public async Task RunAsync_ArgumentsNotValidJson_ShowsTheModelAnErrorWithoutRunningTheTool()
    {
        var ran = false;
        var tool = AIFunctionFactory.Create((string order_id) => { ran = true; return "x"; }, "lookup_order");
        var broken = new FunctionCallContent("c1", "lookup_order") { Exception = new System.Text.Json.JsonException("'}' is invalid") };
        var client = Scripted(Calls(broken), Text("Let me try again."));

        var run = await new Agent(client, Options(tools: tool)).RunAsync("go", Ct);

        Assert.False(ran);
        var call = Assert.Single(run.ToolCalls);
        Assert.True(call.IsError);
        Assert.StartsWith("Error: the arguments are not valid JSON", call.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ModelCallFails_EndsFailedWithTheReason()
    {
        var client = new TestChatClient { OnGetResponse = (_, _, _) => throw new HttpRequestException("HTTP 409 cassette_miss") };

        var run = await new Agent(client, Options()).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Failed, run.Outcome);
        Assert.Contains("HTTP 409 cassette_miss", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Cancelled_EndsCancelled()
    {
        using var cts = new CancellationTokenSource();
        var client = new TestChatClient
        {
            OnGetResponse = (_, _, ct) =>
            {
                cts.Cancel();
                ct.ThrowIfCancellationRequested();
                return Task.FromResult(Text("never"));
            },
        };

        var run = await new Agent(client, Options()).RunAsync("go", cts.Token);

        Assert.Equal(AgentOutcome.Cancelled, run.Outcome);
    }

    [Fact]
    public void AgentOptions_InvalidValues_FailWhenBuilt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Options(maxSteps: 0));
        var tool = AIFunctionFactory.Create(() => "x", "same");
        var error = Assert.Throws<ArgumentException>(() => Options(5, tool, AIFunctionFactory.Create(() => "y", "same")));
        Assert.Contains("'same'", error.Message, StringComparison.Ordinal);
    }
}
