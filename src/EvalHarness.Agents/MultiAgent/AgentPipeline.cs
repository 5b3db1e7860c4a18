using EvalHarness.Agents.Observability;
using EvalHarness.Agents.Runtime;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.MultiAgent;

/// <summary>
/// A fixed sequence of agents: each stage's final answer is the next stage's input. Deterministic where a
/// supervisor decides at run time. The run stops at the first stage that does not complete.
/// </summary>
public static class AgentPipeline
{
    /// <summary>Runs the stages in order and returns one run: usage, cost and counters summed, each stage a span.</summary>
    public static async Task<AgentRun> RunAsync(IChatClient client, IReadOnlyList<AgentOptions> stages, string input, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            throw new ArgumentException("A pipeline needs at least one stage.", nameof(stages));
        }

        var tracer = new RunTracer(time ?? TimeProvider.System);
        var root = tracer.Start("run", "pipeline", 0);
        var counters = new RunCounters();
        var messages = new List<ChatMessage>();
        var toolCalls = new List<ToolCallRecord>();
        var usage = default(TokenUsage);
        decimal? cost = 0;
        var steps = 0;
        var text = input;
        AgentRun? last = null;
        string? stopped = null;
        foreach (var stage in stages)
        {
            using var span = tracer.Start("agent", stage.Name, root.Id);
            var startedAt = tracer.ElapsedMs;
            last = await new Agent(client, stage).RunAsync(text, cancellationToken);
            tracer.Adopt(last.Trace, span.Id, startedAt);
            span.Tag("outcome", last.Outcome.Name()).Tag("steps", last.Steps).Tag("input_tokens", last.Usage.Input).Tag("output_tokens", last.Usage.Output);
            messages.AddRange(last.Messages);
            toolCalls.AddRange(last.ToolCalls.Select(c => c with { Step = c.Step + steps, Agent = c.Agent is null ? stage.Name : $"{stage.Name}/{c.Agent}" }));
            usage += last.Usage;
            cost = cost is { } c && last.CostUsd is { } s ? c + s : null;
            steps += last.Steps;
            foreach (var (name, count) in last.Counters)
            {
                counters.Increment(name, count);
            }

            counters.Increment(RunCounters.Delegations);
            if (last.Outcome != AgentOutcome.Completed)
            {
                span.Fail(last.Outcome.ToString());
                stopped = stage.Name;
                break;
            }

            text = last.FinalText;
        }

        root.Tag("stages", stages.Count).Dispose();
        return last! with
        {
            Reason = stopped is null ? "Every stage completed." : $"Stage '{stopped}' ended early: {last.Reason}",
            Messages = messages,
            ToolCalls = toolCalls,
            Steps = steps,
            Usage = usage,
            CostUsd = cost,
            Counters = counters.Snapshot(),
            Trace = tracer.Spans,
        };
    }
}
