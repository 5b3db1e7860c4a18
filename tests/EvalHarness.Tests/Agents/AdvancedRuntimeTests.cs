using System.Diagnostics;
using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Context;
using EvalHarness.Agents.Memory;
using EvalHarness.Agents.MultiAgent;
using EvalHarness.Agents.Runtime;
using EvalHarness.Agents.Schema;
using EvalHarness.Agents.Tools;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;
using static EvalHarness.Tests.Support.TestChatClient;

namespace EvalHarness.Tests.Agents;

/// <summary>Structured output, context management, memory, approvals, multi-agent, tracing and streaming.</summary>
public sealed class AdvancedRuntimeTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static AgentOptions Options(params AgentTool[] tools) => new("main-model", "system", tools, new AgentLimits(maxSteps: 8));

    private sealed record Verdict(string Decision, int Confidence);

    [Fact]
    public async Task StructuredOutput_NonConformingAnswer_IsSentBackWithTheErrorsThenAccepted()
    {
        var client = Scripted(Text("I think approve"), Text("""{"decision":"approve","confidence":"high"}"""), Text("```json\n{\"decision\":\"approve\",\"confidence\":90}\n```"));

        var run = await new Agent(client, Options() with { StructuredOutput = StructuredOutputOptions.For<Verdict>(maxRepairs: 2) }).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Equal(90, run.StructuredOutput!.Value.GetProperty("confidence").GetInt32());
        Assert.Equal(2, run.Counters[RunCounters.Repairs]);
        Assert.Contains("not JSON", client.Requests[1].Last().Text, StringComparison.Ordinal);
        Assert.Contains("$.confidence: expected integer", client.Requests[2].Last().Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StructuredOutput_RepairsUsedUp_FailsWithTheErrors()
    {
        var client = Scripted(Text("nope"), Text("still nope"));

        var run = await new Agent(client, Options() with { StructuredOutput = StructuredOutputOptions.For<Verdict>(maxRepairs: 1) }).RunAsync("go", Ct);

        Assert.Equal(AgentOutcome.Failed, run.Outcome);
        Assert.StartsWith("The final answer does not match the output schema after 1 repair(s)", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaValidator_NamesEachProblemByItsPath_AndRefusesASchemaThatWouldCheckLessThanItSays()
    {
        var schema = JsonSchemaValidator.Parse("""{"type":"object","required":["id"],"additionalProperties":false,"properties":{"id":{"type":"string","pattern":"^A[0-9]+$"},"n":{"type":"integer","minimum":1},"tags":{"type":"array","items":{"enum":["x","y"]},"maxItems":2}}}""");

        Assert.Empty(schema.Validate(System.Text.Json.JsonDocument.Parse("""{"id":"A1","n":2,"tags":["x"]}""").RootElement));
        Assert.Equal(
            ["$.id: must match the pattern ^A[0-9]+$", "$.n: must be at least 1, got 0", "$.tags: allows at most 2 item(s), has 3", "$.tags[2]: must be one of \"x\", \"y\", got \"z\"", "$.extra: is not an allowed property"],
            schema.Validate(System.Text.Json.JsonDocument.Parse("""{"id":"B1","n":0,"tags":["x","y","z"],"extra":1}""").RootElement));
        Assert.Equal(["$.id: is required but missing"], schema.Validate(System.Text.Json.JsonDocument.Parse("{}").RootElement));
        Assert.Contains("$.properties.id.requird: 'requird' is not a JSON Schema keyword", Assert.Throws<ArgumentException>(() => JsonSchemaValidator.Parse("""{"properties":{"id":{"requird":true}}}""")).Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", Assert.Throws<ArgumentException>(() => JsonSchemaValidator.Parse("{type")).Message, StringComparison.Ordinal);
        Assert.Contains("$.type: 'strin' is not a JSON Schema type", Assert.Throws<ArgumentException>(() => JsonSchemaValidator.Parse("""{"type":"strin"}""")).Message, StringComparison.Ordinal);
        Assert.Contains("$.properties.id.$ref: '#/$defs/ID' points to nothing in this schema", Assert.Throws<ArgumentException>(() => JsonSchemaValidator.Parse("""{"$defs":{"id":{"type":"string"}},"properties":{"id":{"$ref":"#/$defs/ID"}}}""")).Message, StringComparison.Ordinal);
        Assert.Contains("only local ones (#/$defs/…) resolve", Assert.Throws<ArgumentException>(() => JsonSchemaValidator.Parse("""{"$ref":"https://example.com/schema.json"}""")).Message, StringComparison.Ordinal);
        Assert.Empty(JsonSchemaValidator.Parse("""{"$defs":{"id":{"$anchor":"orderId","type":"string"}},"properties":{"id":{"$ref":"#orderId"}}}""").Validate(System.Text.Json.JsonDocument.Parse("""{"id":"A1"}""").RootElement));
        Assert.Contains("'anyOf' requires at least one subschema", Assert.Throws<ArgumentException>(() => JsonSchemaValidator.Parse("""{"anyOf":[]}""")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaValidator_ChecksAnyOfOneOfAllOfAndRefs_AsAIJsonUtilitiesEmitsThem()
    {
        // A nullable property and a polymorphic one, the shapes AIJsonUtilities writes for C# types.
        var schema = JsonSchemaValidator.Parse("""
            {"$defs":{"money":{"type":"object","properties":{"amount":{"type":"number","minimum":0}},"required":["amount"]}},
             "type":"object",
             "properties":{
               "note":{"type":["string","null"]},
               "refund":{"anyOf":[{"$ref":"#/$defs/money"},{"type":"null"}]},
               "kind":{"oneOf":[{"const":"credit"},{"const":"refund"}]},
               "id":{"allOf":[{"type":"string"},{"minLength":2}]}}}
            """);

        Assert.Empty(schema.Validate(System.Text.Json.JsonDocument.Parse("""{"note":null,"refund":{"amount":5},"kind":"credit","id":"A1"}""").RootElement));
        var errors = schema.Validate(System.Text.Json.JsonDocument.Parse("""{"note":3,"refund":{"amount":-1},"kind":"gift","id":"A"}""").RootElement);
        Assert.Contains(errors, e => e.StartsWith("$.note: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.refund.amount: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.kind: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.id: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Context_PastTheWindow_OlderTurnsAreSummarisedByTheSummaryModel()
    {
        var tool = new AgentTool(AIFunctionFactory.Create((string id) => new string('d', 600) + id, "fetch"));
        var fetches = 0;
        var client = new TestChatClient
        {
            OnGetResponse = (messages, options, _) => Task.FromResult(
                options?.ModelId == "cheap-model" ? Text("Fetched A1 and A2; both long documents.")
                : fetches < 2 ? Calls(Call($"c{++fetches}", "fetch", ("id", $"A{fetches}")))
                : Text("All done.")),
        };
        var options = Options(tool) with { Context = new ContextOptions(maxTokens: 250, keepLastMessages: 2, summaryModelId: "cheap-model") };

        var run = await new Agent(client, options).RunAsync("Fetch two documents.", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Equal(1, run.Counters[RunCounters.Summaries]);
        var summaryRequest = client.Requests.Single(r => r[0].Text == ContextCompactor.SummaryInstruction);
        Assert.Contains("called fetch", summaryRequest[1].Text, StringComparison.Ordinal);
        var afterSummary = client.Requests[^1];
        Assert.Equal(ContextCompactor.SummaryPrefix + "Fetched A1 and A2; both long documents.", afterSummary[1].Text);
        Assert.Equal([ChatRole.System, ChatRole.System, ChatRole.Assistant, ChatRole.Tool], afterSummary.Select(m => m.Role));
        Assert.DoesNotContain(afterSummary.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.CallId == "c1");
        Assert.Contains(run.Trace, s => s.Kind == "summary" && s.Name == "cheap-model");
    }

    [Fact]
    public void Context_CutNeverSeparatesAToolResultFromItsCall()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "s"), new(ChatRole.User, "u"), new(ChatRole.Assistant, [new FunctionCallContent("1", "t")]),
            new(ChatRole.Tool, [new FunctionResultContent("1", "r")]), new(ChatRole.Assistant, [new FunctionCallContent("2", "t")]),
            new(ChatRole.Tool, [new FunctionResultContent("2", "r")]),
        ];

        Assert.Equal(4, ContextCompactor.CutIndex(messages, keep: 2));
        Assert.Equal(4, ContextCompactor.CutIndex(messages, keep: 1));
        Assert.Equal(0, ContextCompactor.CutIndex(messages, keep: 5));
    }

    [Fact]
    public void Memory_PersistsAcrossStoresAndRecallsByWords()
    {
        var path = _temp.Combine("memory.db");
        using (var store = new MemoryStore(path))
        {
            store.Remember("Ana prefers refunds to store credit.");
            store.Remember("Ben's headphones were replaced in March.");
        }

        using var reopened = new MemoryStore(path);

        Assert.Equal(2, reopened.Count);
        Assert.Equal("Ana prefers refunds to store credit.", Assert.Single(reopened.Recall("what does ana prefer?")).Text);
        Assert.Empty(reopened.Recall("\" OR 1=1 -- NEAR("));
        Assert.Empty(reopened.Recall("zebra"));
    }

    [Fact]
    public async Task Memory_ToolsLetTheAgentRememberAndRecall()
    {
        using var store = new MemoryStore(":memory:");
        var tools = store.CreateTools().Select(f => new AgentTool(f)).ToArray();
        var client = Scripted(Calls(Call("1", "remember", ("text", "Chloe's order C300 was cancelled by her."))), Calls(Call("2", "recall", ("query", "chloe order"))), Text("Noted."));

        var run = await new Agent(client, Options(tools)).RunAsync("go", Ct);

        Assert.Equal("- Chloe's order C300 was cancelled by her.", run.ToolCalls[1].Result);
    }

    private static readonly AgentTool Refund = new(
        AIFunctionFactory.Create((string order_id, decimal amount) => $"refunded {amount} on {order_id}", "refund"),
        sideEffecting: true,
        approval: ApprovalRule.Above("amount", 100));

    [Theory]
    [InlineData(ApprovalDecision.Approve, "ok", "refunded 250 on A1")]
    [InlineData(ApprovalDecision.Deny, "denied", "A human reviewer denied this call")]
    public async Task Approval_GateDecides(ApprovalDecision decision, string status, string result)
    {
        var asked = new List<ApprovalRequest>();
        var client = Scripted(Calls(Call("1", "refund", ("order_id", "A1"), ("amount", 250))), Text("ok"));
        var options = Options(Refund) with { ApprovalGate = (request, _) => { asked.Add(request); return ValueTask.FromResult(decision); } };

        var run = await new Agent(client, options).RunAsync("go", Ct);

        Assert.Equal(("refund", "when amount > 100"), (Assert.Single(asked).Tool, asked[0].Rule));
        Assert.Equal(status, run.ToolCalls[0].Status);
        Assert.StartsWith(result, run.ToolCalls[0].Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approval_BelowThreshold_RunsWithoutAsking()
    {
        var client = Scripted(Calls(Call("1", "refund", ("order_id", "A1"), ("amount", 40))), Text("ok"));

        var run = await new Agent(client, Options(Refund)).RunAsync("go", Ct);

        Assert.Equal("refunded 40 on A1", run.ToolCalls[0].Result);
        Assert.False(run.Counters.ContainsKey(RunCounters.ApprovalsRequested));
    }

    [Fact]
    public async Task Approval_Pending_CheckpointsAndResumesAfterTheDecision()
    {
        var client = Scripted(Calls(Call("1", "refund", ("order_id", "A1"), ("amount", 250))), Text("Refund done."));
        var agent = new Agent(client, Options(Refund));

        var paused = await agent.RunAsync("Refund A1 please", Ct);
        var json = paused.Checkpoint!.ToJson();
        var resumed = await agent.ResumeAsync(AgentCheckpoint.FromJson(json), new Dictionary<string, ApprovalDecision> { ["1"] = ApprovalDecision.Approve }, Ct);

        Assert.Equal(AgentOutcome.AwaitingApproval, paused.Outcome);
        Assert.Contains("refund (when amount > 100)", paused.Reason, StringComparison.Ordinal);
        Assert.Empty(paused.ToolCalls);
        Assert.Equal(AgentOutcome.Completed, resumed.Outcome);
        Assert.Equal(paused.RunId, resumed.RunId);
        Assert.Equal("refunded 250 on A1", Assert.Single(resumed.ToolCalls).Result);
        Assert.Equal(2, resumed.Steps);
        Assert.Equal(1, resumed.Counters[RunCounters.ApprovalsRequested]);
    }

    [Fact]
    public async Task Supervisor_DelegatesToASpecialistAndAttributesItsWork()
    {
        var lookups = 0;
        var billing = new SubAgent("billing", "Handles invoices.", new AgentOptions("billing-model", "You are billing.",
            [new AgentTool(AIFunctionFactory.Create((string id) => { lookups++; return $"invoice {id}: paid"; }, "get_invoice"))], new AgentLimits(maxSteps: 3)));
        var client = new TestChatClient
        {
            OnGetResponse = (messages, options, _) => Task.FromResult(options?.ModelId switch
            {
                "billing-model" when messages.Any(m => m.Role == ChatRole.Tool) => Text("Invoice INV-9 is paid.", input: 30, output: 7),
                "billing-model" => Calls(Call("b1", "get_invoice", ("id", "INV-9"))),
                _ when messages.Any(m => m.Role == ChatRole.Tool) => Text("Billing says INV-9 is paid."),
                _ => Calls(Call("s1", "ask_billing", ("task", "Is INV-9 paid?"))),
            }),
        };
        var options = Options() with { SubAgents = [billing], Pricing = (_, usage) => usage.Total * 0.01m };

        var run = await new Agent(client, options).RunAsync("Is INV-9 paid?", Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Equal(1, lookups);
        Assert.Equal(["get_invoice", "ask_billing"], run.ToolCalls.Select(c => c.Name));
        Assert.Equal(("billing", null), (run.ToolCalls[0].Agent, run.ToolCalls[1].Agent));
        Assert.Equal(("delegated", "Invoice INV-9 is paid."), (run.ToolCalls[1].Status, run.ToolCalls[1].Result));
        var agentSpan = Assert.Single(run.Trace, s => s.Kind == "agent");
        Assert.Equal(("billing", "2", "40"), (agentSpan.Name, agentSpan.Tags["steps"], agentSpan.Tags["input_tokens"]));
        Assert.Contains(run.Trace, s => s.Kind == "tool" && s.Name == "get_invoice" && IsUnder(run.Trace, s, agentSpan.Id));
        Assert.Equal(new TokenUsage(60, 22), run.Usage);
        Assert.Equal(0.82m, run.CostUsd);
        Assert.Equal(1, run.Counters[RunCounters.Delegations]);
    }

    [Fact]
    public async Task Pipeline_RunsStagesInOrderFeedingEachTheLastAnswer()
    {
        var client = new TestChatClient
        {
            OnGetResponse = (messages, options, _) => Task.FromResult(Text(options!.ModelId == "research" ? "facts: A, B" : $"Summary of [{messages[^1].Text}]")),
        };
        AgentOptions[] stages = [new AgentOptions("research", "Research.", Array.Empty<AgentTool>()) { Name = "researcher" }, new AgentOptions("write", "Write.", Array.Empty<AgentTool>()) { Name = "writer" }];

        var run = await AgentPipeline.RunAsync(client, stages, "Topic X", cancellationToken: Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Equal("Summary of [facts: A, B]", run.FinalText);
        Assert.Equal(2, run.Steps);
        Assert.Equal(["researcher", "writer"], run.Trace.Where(s => s.Kind == "agent").Select(s => s.Name));
    }

    [Fact]
    public async Task Trace_IsATreeOfRunStepsModelAndToolCalls_AndReachesActivityListeners()
    {
        var started = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "EvalHarness.Agents",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = a =>
            {
                lock (started)
                {
                    // A chat span counts only inside a model span, where the runtime's middleware puts it.
                    started.Add(a.DisplayName.StartsWith("chat ", StringComparison.Ordinal) && a.Parent?.DisplayName.StartsWith("model ", StringComparison.Ordinal) != true ? "stray " + a.DisplayName : a.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var client = Scripted(Calls(Call("1", "lookup", ("id", "A1"))), Text("done"));
        var tool = new AgentTool(AIFunctionFactory.Create((string id) => "found", "lookup"));

        var run = await new Agent(client, Options(tool)).RunAsync("go", Ct);

        var root = Assert.Single(run.Trace, s => s.ParentId == 0);
        Assert.Equal(("run", run.RunId, "completed"), (root.Kind, root.Tags["run_id"], root.Tags["outcome"]));
        var steps = run.Trace.Where(s => s.Kind == "step").ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.Equal(root.Id, s.ParentId));
        Assert.Equal(steps[0].Id, run.Trace.Single(s => s.Kind == "tool").ParentId);
        Assert.Equal("10", run.Trace.First(s => s.Kind == "model").Tags["input_tokens"]);
        // Named as OpenTelemetry's GenAI conventions name them, Microsoft.Extensions.AI's chat span inside the model span.
        // (The listener hears every agent in the process; other tests' spans may be among these.)
        lock (started)
        {
            Assert.Contains("invoke_agent agent", started);
            Assert.Contains("execute_tool lookup", started);
            Assert.Contains("model main-model", started);
            Assert.Contains("chat main-model", started);
        }
    }

    [Fact]
    public async Task Streaming_AnswerArrivesInPiecesAndIsAssembled()
    {
        var pieces = new List<string>();
        var client = new StreamingClient("Your order ", "has ", "shipped.");

        var run = await new Agent(client, Options() with { Streaming = true, OnTextDelta = pieces.Add }).RunAsync("go", Ct);

        Assert.Equal(["Your order ", "has ", "shipped."], pieces);
        Assert.Equal("Your order has shipped.", run.FinalText);
        Assert.Equal("true", run.Trace.Single(s => s.Kind == "model").Tags["streamed"]);
    }

    private static bool IsUnder(IReadOnlyList<EvalHarness.Agents.Observability.TraceSpan> trace, EvalHarness.Agents.Observability.TraceSpan span, int ancestor)
    {
        for (var s = span; s.ParentId != 0; s = trace.Single(p => p.Id == s.ParentId))
        {
            if (s.ParentId == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private sealed class StreamingClient(params string[] pieces) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The agent was asked to stream.");

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var piece in pieces)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { MessageId = "m1" };
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
