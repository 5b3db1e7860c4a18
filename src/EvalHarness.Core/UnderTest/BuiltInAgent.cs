using System.Text.Json;
using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.MultiAgent;
using EvalHarness.Agents.Runtime;
using EvalHarness.Agents.Tools;
using EvalHarness.Core.Pricing;
using EvalHarness.Core.Suites;
using EvalHarness.BuiltIn;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// The harness's own agent runtime as a system under test: the suite's agent config, its toolkits over the case's
/// fresh environment, approvals answered by the scenario's scripted human. It reports everything itself. It is made
/// for one case, with what only the built-in runtime needs of it (the scenario, the world, the user of a conversation).
/// </summary>
/// <param name="config">The variant's agent.</param>
/// <param name="scenario">The scenario: its approvals, memories and expectations.</param>
/// <param name="environment">The case's fresh copy of the suite's fixtures.</param>
/// <param name="user">Who writes the user's turns of a conversation; null for one input.</param>
/// <param name="skipDelays">Whether retry backoff is reported but not waited (a replay: the failures are already in the cassette).</param>
internal sealed class BuiltInAgent(AgentConfig config, Scenario scenario, CaseEnvironment environment, UserSide? user, bool skipDelays) : IAgentUnderTest
{
    public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
    {
        var time = agentCase.Time;
        // The MCP servers the agent's tools name (mcp:inventory) list their tools for this case, through its cassette.
        await using var mcp = await McpToolbox.ConnectAsync(config, agentCase, cancellationToken);
        var qualified = ExpectationParser.Callable(config)
            .Where(name => ToolCatalog.Contains(name, environment.Toolkits))
            .Distinct()
            .ToDictionary(name => ToolCatalog.WireName(name, environment.Toolkits), name => name, StringComparer.Ordinal);
        foreach (var (wire, name) in mcp.Qualified)
        {
            qualified.TryAdd(wire, name);
        }

        IReadOnlyList<AgentTool> Tools(AgentConfig c) =>
            [.. ToolCatalog.Build(environment, c.Tools.Where(t => !t.StartsWith(McpTools.Prefix, StringComparison.Ordinal)), c.Approvals), .. mcp.ToolsFor(c.Tools, c.Approvals)];

        AgentOptions Build(AgentConfig c, string name) => new(c.Model.Model, c.SystemPrompt, Tools(c), c.Limits)
        {
            Name = name,
            LoopDetection = c.LoopDetection,
            ToolOutput = c.ToolOutput,
            GuardArguments = c.Guard,
            Resilience = c.Retry is { } retry ? retry with { SkipDelays = skipDelays } : null,
            StructuredOutput = c.OutputSchema is { } schema ? new StructuredOutputOptions(schema, c.MaxRepairs) : null,
            Context = c.Context,
            Streaming = c.Streaming,
            SubAgents = [.. c.SubAgents.Select(sub => new SubAgent(sub.Name, sub.Description, Build(sub.Agent, sub.Name)))],
            ApprovalGate = (request, _) => ValueTask.FromResult(scenario.Approvals.GetValueOrDefault(qualified.GetValueOrDefault(request.Tool, request.Tool), ApprovalDecision.Pending)),
            Pricing = (modelId, usage) => PricingTable.Default.Cost(c.PricedAs(new ModelRef(c.Model.Provider, modelId)), usage),
            Time = time,
        };

        ToolCallResult Result(ToolCallRecord c) => new(c.Step, qualified.GetValueOrDefault(c.Name, c.Name), c.ArgumentsJson, c.Result, c.IsError, c.Status, c.Agent);

        AgentRun run;
        List<TurnReport>? turns = null;
        if (user is not null)
        {
            // A conversation: one run held across the user's turns; each turn's calls and steps are those its reply added.
            turns = [];
            var first = await user.FirstAsync(cancellationToken);
            var said = new List<string> { first };
            TurnReport Turn(IReadOnlyList<AgentRun> runs, int i) => new(
                said[i],
                runs[i].FinalText,
                [.. runs[i].ToolCalls.Skip(i == 0 ? 0 : runs[i - 1].ToolCalls.Count).Select(Result)],
                runs[i].Outcome.Name(),
                runs[i].Steps - (i == 0 ? 0 : runs[i - 1].Steps));
            var runs = await new Agent(agentCase.ChatClient, Build(config, "agent")).ConverseAsync(first, async (sofar, ct) =>
            {
                turns.Add(Turn(sofar, sofar.Count - 1));
                var next = await user.NextAsync(turns, ct);
                if (next is not null)
                {
                    said.Add(next);
                }

                return next;
            }, cancellationToken);
            if (turns.Count < runs.Count)
            {
                // The last turn ended other than with an answer, so the user was not asked again.
                turns.Add(Turn(runs, runs.Count - 1));
                user.AgentStopped();
            }

            run = runs[^1] with { Trace = Joined(runs) };
        }
        else if (config.Pipeline.Count > 0)
        {
            var stages = config.Pipeline.Select(name => Build(config.SubAgents.Single(s => s.Name == name).Agent, name)).ToList();
            run = await AgentPipeline.RunAsync(agentCase.ChatClient, stages, scenario.Input, time, cancellationToken);
        }
        else
        {
            var agent = new Agent(agentCase.ChatClient, Build(config, "agent"));
            run = await agent.RunAsync(scenario.Input, cancellationToken);
            if (run is { Outcome: AgentOutcome.AwaitingApproval, Checkpoint: { } checkpoint } && scenario.Resume.Count > 0)
            {
                // The scripted human decides later: the run resumes from its serialised checkpoint, as it would in production.
                var decisions = checkpoint.Pending.ToDictionary(
                    p => p.CallId,
                    p => scenario.Resume.GetValueOrDefault(qualified.GetValueOrDefault(p.Tool, p.Tool), ApprovalDecision.Pending));
                var resumed = await agent.ResumeAsync(AgentCheckpoint.FromJson(checkpoint.ToJson()), decisions, cancellationToken);
                run = resumed with { Trace = [.. run.Trace, .. resumed.Trace.Select(s => s with { Id = s.Id + run.Trace.Count, ParentId = s.ParentId == 0 ? 0 : s.ParentId + run.Trace.Count })] };
            }
        }

        return new AgentReport
        {
            Output = run.FinalText,
            Outcome = run.Outcome.Name(),
            Reason = run.Reason,
            ToolCalls = [.. run.ToolCalls.Select(Result)],
            Turns = turns,
            EndedBy = user?.EndedBy,
            Closing = user?.Closing,
            Steps = run.Steps,
            InputTokens = run.Usage.Input,
            OutputTokens = run.Usage.Output,
            CostUsd = run.CostUsd,
            Counters = run.Counters,
            Transcript = Transcript(run.Messages),
            Trace = [.. run.Trace.Select(s => new TraceSpan(s.Id, s.ParentId, s.Kind, s.Name, s.StartMs, s.DurationMs, s.Status, s.Tags))],
            IsComplete = true,
        };
    }

    /// <summary>The turns' span trees one after another, each turn's ids moved past the ones before it.</summary>
    private static List<Agents.Observability.TraceSpan> Joined(IReadOnlyList<AgentRun> runs)
    {
        var joined = new List<Agents.Observability.TraceSpan>();
        foreach (var run in runs)
        {
            var (offset, later) = joined.Count == 0 ? (0, 0.0) : (joined.Max(s => s.Id), joined.Max(s => s.StartMs + s.DurationMs));
            joined.AddRange(run.Trace.Select(s => s with { Id = s.Id + offset, ParentId = s.ParentId == 0 ? 0 : s.ParentId + offset, StartMs = Math.Round(s.StartMs + later, 1) }));
        }

        return joined;
    }

    private static List<TranscriptEntry> Transcript(IReadOnlyList<ChatMessage> messages) =>
        [.. messages.Select(m => new TranscriptEntry(m.Role.Value, string.Join(Environment.NewLine, m.Contents.Select(Describe).Where(s => s.Length > 0))))];

    private static string Describe(AIContent content) => content switch
    {
        TextContent text => text.Text,
        FunctionCallContent call => $"→ {call.Name}({JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AgentJson.Options)})",
        FunctionResultContent result => $"← {result.Result}",
        _ => string.Empty,
    };
}
