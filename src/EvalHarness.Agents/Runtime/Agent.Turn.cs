using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.MultiAgent;
using EvalHarness.Agents.Observability;
using EvalHarness.Agents.Tools;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

public sealed partial class Agent
{
    private sealed record PendingTurn(string Reason, AgentCheckpoint Checkpoint);

    /// <summary>A call checked and ready: either already answered (<see cref="Answer"/>) or to run on <see cref="Tool"/>.</summary>
    private sealed record PreparedCall(FunctionCallContent Call, string ArgumentsJson, AgentTool? Tool, ToolCallRecord? Answer);

    /// <summary>Checks, approves and runs one turn's tool calls. Returns a pending turn when a human must decide first.</summary>
    private async Task<PendingTurn?> RunTurnAsync(
        RunState state, List<FunctionCallContent> calls, Dictionary<string, ApprovalDecision>? decisions, RunTracer tracer, int parentSpan, CancellationToken cancellationToken)
    {
        var decided = new Dictionary<string, ApprovalDecision>(decisions ?? [], StringComparer.Ordinal);
        var prepared = new List<PreparedCall>(calls.Count);
        var pending = new List<ApprovalRequest>();
        foreach (var call in calls)
        {
            var (checkedCall, request) = await PrepareAsync(state, call, decided, cancellationToken);
            prepared.Add(checkedCall);
            if (request is not null)
            {
                pending.Add(request);
            }
        }

        if (pending.Count > 0)
        {
            var checkpoint = new AgentCheckpoint
            {
                RunId = state.RunId,
                Step = state.Step,
                Usage = state.Usage,
                CostUsd = state.CostUnknown || _options.Pricing is null ? null : state.Cost,
                Counters = state.Counters.Snapshot(),
                Messages = [.. state.Messages],
                ToolCalls = [.. state.ToolCalls],
                Pending = pending,
                Decisions = decided,
                SideEffects = new Dictionary<string, string>(state.SideEffects, StringComparer.Ordinal),
                Repairs = state.Repairs,
            };
            return new PendingTurn($"Waiting for a human to approve {string.Join(", ", pending.Select(p => $"{p.Tool} ({p.Rule})"))}.", checkpoint);
        }

        // Tools run concurrently. Delegations run one after another, in the model's order: each makes model
        // calls of its own, and a recorded cassette replays model calls in the order they were made.
        var records = new ToolCallRecord[prepared.Count];
        var tools = prepared.Select((p, i) => (p, i)).Where(x => !_subAgents.ContainsKey(x.p.Call.Name) || x.p.Answer is not null).ToList();
        await Task.WhenAll(tools.Select(async x => records[x.i] = await RunCallAsync(state, x.p, tracer, parentSpan, cancellationToken)));
        foreach (var (call, i) in prepared.Select((p, i) => (p, i)).Except(tools))
        {
            records[i] = await RunCallAsync(state, call, tracer, parentSpan, cancellationToken);
        }

        lock (state.Sync)
        {
            state.ToolCalls.AddRange(state.Delegated);
            state.Delegated.Clear();
        }

        state.ToolCalls.AddRange(records);
        state.Messages.Add(new ChatMessage(ChatRole.Tool, [.. records.Select(r => (AIContent)new FunctionResultContent(r.CallId, r.Result))]));
        return null;
    }

    /// <summary>Everything that can reject a call before it runs: bad JSON, unknown tool, schema, guard, approval.</summary>
    private async Task<(PreparedCall Call, ApprovalRequest? Pending)> PrepareAsync(
        RunState state, FunctionCallContent call, Dictionary<string, ApprovalDecision> decided, CancellationToken cancellationToken)
    {
        var argumentsJson = ArgumentsJson(call);
        PreparedCall Answer(string status, string result, string? counter)
        {
            if (counter is not null)
            {
                state.Counters.Increment(counter);
            }

            return new(call, argumentsJson, null, new ToolCallRecord(state.Step, call.CallId, call.Name, argumentsJson, result, IsError: status != "denied", status));
        }

        if (call.Exception is not null)
        {
            return (Answer("invalid_args", $"Error: the arguments are not valid JSON ({call.Exception.Message}). Send them again as a JSON object.", RunCounters.InvalidToolArgs), null);
        }

        if (!_tools.TryGetValue(call.Name, out var tool))
        {
            var known = string.Join(", ", _tools.Keys.Order(StringComparer.Ordinal));
            return (Answer("unknown_tool", $"Error: there is no tool named '{call.Name}'. Available tools: {known}.", RunCounters.UnknownToolCalls), null);
        }

        using var arguments = JsonDocument.Parse(argumentsJson);
        var errors = tool.Validator.Validate(arguments.RootElement);
        if (errors.Count > 0)
        {
            return (Answer("invalid_args", $"Error: the arguments do not match {call.Name}'s schema: {string.Join("; ", errors)}.", RunCounters.InvalidToolArgs), null);
        }

        if (_options.GuardArguments && ToolGuard.Check(call.Name, arguments.RootElement) is { } refusal)
        {
            return (Answer("guard_blocked", $"Error: refused by the tool guard: {refusal}. This call was not run.", RunCounters.GuardBlocked), null);
        }

        if (tool.Approval is { } rule && rule.Applies(arguments.RootElement))
        {
            if (!decided.TryGetValue(call.CallId, out var decision))
            {
                state.Counters.Increment(RunCounters.ApprovalsRequested);
                var request = new ApprovalRequest(call.CallId, call.Name, argumentsJson, rule.ToString());
                decision = _options.ApprovalGate is { } gate ? await gate(request, cancellationToken) : ApprovalDecision.Pending;
                if (decision == ApprovalDecision.Pending)
                {
                    return (new(call, argumentsJson, tool, null), request);
                }

                decided[call.CallId] = decision;
            }

            if (decision == ApprovalDecision.Pending)
            {
                return (new(call, argumentsJson, tool, null), new ApprovalRequest(call.CallId, call.Name, argumentsJson, rule.ToString()));
            }

            if (decision == ApprovalDecision.Deny)
            {
                return (Answer("denied", $"A human reviewer denied this call to {call.Name}; it was not run. Tell the user, and do not try it again.", RunCounters.ApprovalsDenied), null);
            }
        }

        return (new(call, argumentsJson, tool, null), null);
    }

    private async Task<ToolCallRecord> RunCallAsync(RunState state, PreparedCall prepared, RunTracer tracer, int parentSpan, CancellationToken cancellationToken)
    {
        var call = prepared.Call;
        var isDelegation = _subAgents.TryGetValue(call.Name, out var sub);
        using var span = tracer.Start(isDelegation ? "agent" : "tool", isDelegation ? sub!.Name : call.Name, parentSpan)
            .Tag("call_id", call.CallId).Tag("arguments", prepared.ArgumentsJson);
        if (prepared.Answer is { } answer)
        {
            span.Fail(answer.Status);
            return answer;
        }

        string status;
        (string Text, bool Failed) outcome;
        if (isDelegation)
        {
            (outcome, status) = (await DelegateAsync(state, sub!, call, span, tracer, cancellationToken), "delegated");
        }
        else if (prepared.Tool!.SideEffecting)
        {
            (outcome, status) = await RunOnceAsync(state, prepared, span, cancellationToken);
        }
        else
        {
            (outcome, status) = (await InvokeAsync(state, prepared.Tool, call, span, cancellationToken), "ok");
        }

        if (outcome.Failed)
        {
            state.Counters.Increment(RunCounters.ToolErrors);
            span.Fail("error");
            status = "error";
        }

        var (text, truncated, neutralized) = ToolOutputSanitizer.Clean(outcome.Text, _options.ToolOutput);
        if (truncated)
        {
            state.Counters.Increment(RunCounters.OutputsTruncated);
            span.Tag("truncated", true);
        }

        if (neutralized)
        {
            state.Counters.Increment(RunCounters.InjectionsNeutralized);
            span.Tag("injection_neutralized", true);
        }

        return new ToolCallRecord(state.Step, call.CallId, call.Name, prepared.ArgumentsJson, text, outcome.Failed, status);
    }

    /// <summary>Runs a side-effecting call once per identical arguments within the run; repeats get the first result.</summary>
    private async Task<((string Text, bool Failed), string Status)> RunOnceAsync(RunState state, PreparedCall prepared, RunTracer.SpanScope span, CancellationToken cancellationToken)
    {
        var key = Signature(prepared.Call.Name, prepared.ArgumentsJson);
        Task<(string Text, bool Failed)>? running;
        bool owner;
        lock (state.Sync)
        {
            if (state.SideEffects.TryGetValue(key, out var done))
            {
                state.Counters.Increment(RunCounters.IdempotentReplays);
                span.Tag("idempotent_replay", true);
                return ((done, false), "replayed");
            }

            owner = !state.InFlight.TryGetValue(key, out running);
            if (owner)
            {
                // Started outside the lock's synchronous part: the tool's own code never runs under it.
                running = Task.Run(() => InvokeAsync(state, prepared.Tool!, prepared.Call, span, cancellationToken), cancellationToken);
                state.InFlight[key] = running;
            }
        }

        var outcome = await running!;
        lock (state.Sync)
        {
            if (owner)
            {
                state.InFlight.Remove(key);
                if (!outcome.Failed)
                {
                    state.SideEffects[key] = outcome.Text;
                }

                return (outcome, "ok");
            }
        }

        // The same call was made twice in one turn: the second shares the first one's result.
        if (!outcome.Failed)
        {
            state.Counters.Increment(RunCounters.IdempotentReplays);
            span.Tag("idempotent_replay", true);
            return (outcome, "replayed");
        }

        return (outcome, "ok");
    }

    /// <summary>Invokes a tool, retrying transient failures as many times as the tool allows.</summary>
    private async Task<(string Text, bool Failed)> InvokeAsync(RunState state, AgentTool tool, FunctionCallContent call, RunTracer.SpanScope span, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var result = await tool.Function.InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken);
                return (AgentJson.Stringify(result), false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var cause = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
                if (cause is TransientToolException or TimeoutException && attempt < tool.TransientRetries)
                {
                    state.Counters.Increment(RunCounters.ToolRetries);
                    span.Tag("retries", attempt + 1);
                    continue;
                }

                // A failing tool is an observation for the model, never a crash of the run.
                return ($"Error: {cause.Message}", true);
            }
        }
    }

    private async Task<(string Text, bool Failed)> DelegateAsync(
        RunState state, SubAgent sub, FunctionCallContent call, RunTracer.SpanScope span, RunTracer tracer, CancellationToken cancellationToken)
    {
        var task = call.Arguments?.TryGetValue("task", out var value) == true ? AgentJson.Stringify(value) : string.Empty;
        var child = new Agent(_client, sub.Options with
        {
            Name = sub.Name,
            Pricing = sub.Options.Pricing ?? _options.Pricing,
            Time = _options.Time,
        });
        var startedAt = tracer.ElapsedMs;
        var run = await child.RunAsync(task, cancellationToken);
        tracer.Adopt(run.Trace, span.Id, startedAt);
        state.Charge(run.Usage, run.CostUsd);
        lock (state.Sync)
        {
            state.Delegated.AddRange(run.ToolCalls.Select(c => c with { Step = state.Step, Agent = c.Agent is null ? sub.Name : $"{sub.Name}/{c.Agent}" }));
        }

        foreach (var (name, count) in run.Counters)
        {
            state.Counters.Increment(name, count);
        }

        state.Counters.Increment(RunCounters.Delegations);
        span.Tag("outcome", run.Outcome.Name()).Tag("steps", run.Steps).Tag("input_tokens", run.Usage.Input).Tag("output_tokens", run.Usage.Output);
        if (run.CostUsd is { } cost)
        {
            span.Tag("cost_usd", cost);
        }

        return run.Outcome == AgentOutcome.Completed
            ? (run.FinalText, false)
            : ($"The {sub.Name} specialist could not finish ({run.Outcome}): {run.Reason}", true);
    }

    /// <summary>The arguments as the model sent them, as compact JSON.</summary>
    private static string ArgumentsJson(FunctionCallContent call) =>
        JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AgentJson.Options);

    /// <summary>A call's identity for loop detection and idempotency: the name and the arguments with keys sorted.</summary>
    internal static string Signature(string name, string argumentsJson)
    {
        var node = JsonNode.Parse(argumentsJson);
        return $"{name}({Canonical(node)})";
    }

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonSerializer.Serialize(p.Key)}:{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(AgentJson.Options),
    };
}
