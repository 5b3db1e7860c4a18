using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Context;
using EvalHarness.Agents.Observability;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Tools;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>
/// A tool-calling agent: sends the conversation and its tools to the model, runs the tool calls the
/// model asks for, appends their results, and repeats until the model answers or a guard ends the run.
/// </summary>
/// <remarks>
/// One turn, in order: budget check, context compaction, the model call (with retries), then for a final
/// answer the output-schema check, or for tool calls loop detection, argument checks, approvals and the
/// calls themselves, concurrently. Every run ends in an <see cref="AgentOutcome"/> with a reason.
/// </remarks>
public sealed partial class Agent
{
    private readonly IChatClient _client;
    private readonly AgentOptions _options;
    private readonly TokenCounter _tokens;
    private readonly Dictionary<string, AgentTool> _tools;
    private readonly Dictionary<string, MultiAgent.SubAgent> _subAgents;
    private readonly ChatOptions _chatOptions;

    /// <summary>Creates an agent that talks to <paramref name="client"/>.</summary>
    /// <exception cref="ArgumentException">The options do not validate.</exception>
    public Agent(IChatClient client, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options.Validate();
        _tokens = TokenCounter.For(options.ModelId);
        _tools = options.Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _subAgents = options.SubAgents.ToDictionary(s => s.ToolName, StringComparer.Ordinal);
        foreach (var sub in options.SubAgents)
        {
            _tools[sub.ToolName] = new AgentTool(AIFunctionFactory.Create(
                ([System.ComponentModel.Description("The task for the specialist, with everything it needs to know")] string task) => string.Empty,
                sub.ToolName,
                $"Delegates a task to the {sub.Name} specialist: {sub.Description}"));
        }

        _chatOptions = new ChatOptions
        {
            ModelId = options.ModelId,
            Tools = [.. _tools.Values.Select(t => (AITool)t.Function)],
            ResponseFormat = options.StructuredOutput is { } structured
                ? ChatResponseFormat.ForJsonSchema(structured.Schema.Schema, "final_answer")
                : null,
        };
    }

    /// <summary>Runs the agent on one user input until it answers or a guard ends the run.</summary>
    public Task<AgentRun> RunAsync(string input, CancellationToken cancellationToken = default)
    {
        var state = new RunState(NewRunId(), [new(ChatRole.System, _options.SystemPrompt), new(ChatRole.User, input)]);
        return LoopAsync(state, resume: null, cancellationToken);
    }

    /// <summary>
    /// Holds a conversation: the first user turn runs as <see cref="RunAsync"/> does, and each next one goes on with the
    /// same run (its messages, steps, budgets, counters and idempotency), until a turn ends other than with an answer.
    /// Limits (<c>max_steps</c>, token and cost budgets, the timeout of each turn) count over the whole conversation.
    /// </summary>
    /// <returns>Each turn's run, as it stood when that turn ended; fewer than the turns when one did not complete.</returns>
    public Task<IReadOnlyList<AgentRun>> ConverseAsync(IReadOnlyList<string> userTurns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userTurns);
        ArgumentOutOfRangeException.ThrowIfZero(userTurns.Count);
        return ConverseAsync(userTurns[0], (runs, _) => ValueTask.FromResult(runs.Count < userTurns.Count ? userTurns[runs.Count] : null), cancellationToken);
    }

    /// <summary>
    /// Holds a conversation whose next user turn is known only once the agent has replied (a simulated user): after
    /// each completed turn, <paramref name="next"/> is given the turns so far and answers with the user's next message,
    /// or null to end the conversation.
    /// </summary>
    /// <returns>Each turn's run, as it stood when that turn ended.</returns>
    public async Task<IReadOnlyList<AgentRun>> ConverseAsync(
        string firstTurn, Func<IReadOnlyList<AgentRun>, CancellationToken, ValueTask<string?>> next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(firstTurn);
        ArgumentNullException.ThrowIfNull(next);
        var state = new RunState(NewRunId(), [new(ChatRole.System, _options.SystemPrompt), new(ChatRole.User, firstTurn)]);
        var runs = new List<AgentRun>();
        while (true)
        {
            var run = await LoopAsync(state, resume: null, cancellationToken);
            runs.Add(run);
            if (run.Outcome != AgentOutcome.Completed || await next(runs, cancellationToken) is not { } user)
            {
                return runs;
            }

            state.Messages.Add(new ChatMessage(ChatRole.User, user));
            (state.LastText, state.StructuredOutput, state.Repairs) = (string.Empty, null, 0);
        }
    }

    /// <summary>Resumes a run that stopped as <see cref="AgentOutcome.AwaitingApproval"/>, with decisions for its pending calls.</summary>
    public Task<AgentRun> ResumeAsync(AgentCheckpoint checkpoint, IReadOnlyDictionary<string, ApprovalDecision> decisions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(decisions);
        var state = RunState.From(checkpoint);
        state.ToolCalls.AddRange(checkpoint.ToolCalls);
        var merged = new Dictionary<string, ApprovalDecision>(checkpoint.Decisions, StringComparer.Ordinal);
        foreach (var (callId, decision) in decisions)
        {
            merged[callId] = decision;
        }

        return LoopAsync(state, merged, cancellationToken);
    }

    private async Task<AgentRun> LoopAsync(RunState state, Dictionary<string, ApprovalDecision>? resume, CancellationToken cancellationToken)
    {
        var tracer = new RunTracer(_options.Time);
        using var timeout = _options.Limits.Timeout is { } limit ? new CancellationTokenSource(limit, _options.Time) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout?.Token ?? CancellationToken.None);
        var token = linked.Token;
        var runSpan = tracer.Start("run", _options.Name, 0).Tag("run_id", state.RunId).Tag("model", _options.ModelId);
        var modelSpanId = 0;
        RunTracer.SpanScope? stepSpan = null;
        // The model client's middleware, outermost first: retries and the breaker around each attempt, then
        // OpenTelemetry's GenAI span per attempt when anything listens (gen_ai.* attributes, token usage), then the client given (which in
        // an evaluation counts recorded time around the provider's SDK).
        // The pipeline is this run's and is disposed with it (OpenTelemetry's client owns an ActivitySource and a Meter,
        // which would otherwise stay registered for the life of the process); the client given stays the caller's.
        var builder = new ChatClientBuilder(new Borrowed(_client));
        if (_options.Resilience is { } resilience)
        {
            builder.Use(inner => new ResilientChatClient(inner, resilience, _options.Time, (attempt, delay, error) =>
            {
                state.Counters.Increment(RunCounters.Retries);
                using var retry = tracer.Start("retry", $"attempt {attempt}", modelSpanId);
                retry.Tag("delay_ms", Math.Round(delay.TotalMilliseconds)).Tag("error", Short(error));
            }));
        }

        if (RunTracer.Source.HasListeners())
        {
            builder.UseOpenTelemetry(sourceName: RunTracer.Source.Name);
        }

        using var client = builder.Build();

        AgentRun End(AgentOutcome outcome, string reason, AgentCheckpoint? checkpoint = null)
        {
            stepSpan?.Dispose();
            runSpan.Tag("outcome", outcome.Name()).Tag("steps", state.Step).Tag("input_tokens", state.Usage.Input).Tag("output_tokens", state.Usage.Output);
            if (!state.CostUnknown && _options.Pricing is not null)
            {
                runSpan.Tag("cost_usd", state.Cost);
            }

            if (outcome is not (AgentOutcome.Completed or AgentOutcome.AwaitingApproval))
            {
                runSpan.Fail(outcome.ToString());
            }

            runSpan.Dispose();
            return new AgentRun
            {
                RunId = state.RunId,
                Outcome = outcome,
                Reason = reason,
                FinalText = state.LastText,
                StructuredOutput = state.StructuredOutput,
                Messages = [.. state.Messages], // copies: a conversation's next turn goes on with the same state
                ToolCalls = [.. state.ToolCalls],
                Steps = state.Step,
                Usage = state.Usage,
                CostUsd = state.CostUnknown || _options.Pricing is null ? null : state.Cost,
                Counters = state.Counters.Snapshot(),
                Trace = tracer.Spans,
                Checkpoint = checkpoint,
            };
        }

        try
        {
            if (resume is not null)
            {
                var pendingCalls = state.Messages[^1].Contents.OfType<FunctionCallContent>().ToList();
                if (await RunTurnAsync(state, pendingCalls, resume, tracer, runSpan.Id, token) is { } awaiting)
                {
                    return End(AgentOutcome.AwaitingApproval, awaiting.Reason, awaiting.Checkpoint);
                }
            }

            while (true)
            {
                if (state.Step >= _options.Limits.MaxSteps)
                {
                    return End(AgentOutcome.MaxSteps, $"No final answer within max_steps ({_options.Limits.MaxSteps}).");
                }

                if (OverBudget(state) is { } budget)
                {
                    return End(AgentOutcome.BudgetExceeded, budget);
                }

                state.Step++;
                stepSpan?.Dispose();
                stepSpan = tracer.Start("step", state.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), runSpan.Id);
                await CompactAsync(state, client, tracer, stepSpan.Id, token);
                if (PromptOverBudget(state) is { } ahead)
                {
                    stepSpan.Fail("over budget before the call");
                    return End(AgentOutcome.BudgetExceeded, ahead);
                }

                ChatResponse response;
                using (var modelSpan = tracer.Start("model", _options.ModelId, stepSpan.Id))
                {
                    modelSpanId = modelSpan.Id;
                    var call = await CallModelAsync(client, state.Messages, _chatOptions, modelSpan, state, token);
                    if (call.Error is { } error)
                    {
                        stepSpan.Fail("model call failed");
                        return End(AgentOutcome.Failed, $"Model call {state.Step} failed: {error}");
                    }

                    response = call.Response!;
                }

                state.Messages.AddRange(response.Messages);
                if (!string.IsNullOrEmpty(response.Text))
                {
                    state.LastText = response.Text;
                }

                var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
                if (calls.Count == 0)
                {
                    switch (CheckStructuredAnswer(state))
                    {
                        case null:
                            return End(AgentOutcome.Completed, "The model gave a final answer.");
                        case { Repair: true, Message: var repair }:
                            state.Messages.Add(new ChatMessage(ChatRole.User, repair));
                            continue;
                        case { Message: var failure }:
                            return End(AgentOutcome.Failed, failure);
                    }
                }

                if (OverBudget(state) is { } spent)
                {
                    return End(AgentOutcome.BudgetExceeded, spent);
                }

                if (DetectLoop(state, calls) is { } loop)
                {
                    return End(AgentOutcome.LoopDetected, loop);
                }

                if (await RunTurnAsync(state, calls, decisions: null, tracer, stepSpan.Id, token) is { } pending)
                {
                    return End(AgentOutcome.AwaitingApproval, pending.Reason, pending.Checkpoint);
                }
            }
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            return End(AgentOutcome.TimedOut, $"The run took longer than its timeout ({_options.Limits.Timeout!.Value.TotalSeconds:0.###} s).");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return End(AgentOutcome.Cancelled, "The run was cancelled.");
        }
    }

    private string? OverBudget(RunState state)
    {
        var limits = _options.Limits;
        if (limits.MaxTokens is { } maxTokens && state.Usage.Total > maxTokens)
        {
            return $"The run used {state.Usage.Total:N0} tokens, over its budget of {maxTokens:N0}.";
        }

        if (limits.MaxCostUsd is { } maxCost && !state.CostUnknown && state.Cost > maxCost)
        {
            return $"The run cost ${state.Cost:0.######}, over its budget of ${maxCost:0.######}.";
        }

        return null;
    }

    /// <summary>
    /// Before a call: when the prompt alone, counted by the model's tokenizer, would take the run past max_tokens, the
    /// call is not made (its input tokens would be spent and the budget broken). With no known tokenizer the budget is
    /// checked only on what providers report.
    /// </summary>
    private string? PromptOverBudget(RunState state)
    {
        if (_options.Limits.MaxTokens is not { } maxTokens || _tokens.Encoding == TokenCounter.Estimate)
        {
            return null;
        }

        if (!_tokens.Exceeds(state.Messages, maxTokens - state.Usage.Total))
        {
            return null;
        }

        var prompt = _tokens.Count(state.Messages);
        return state.Usage.Total + prompt > maxTokens
            ? $"The next model call's prompt ({prompt:N0} tokens by {_tokens.Encoding}) would take the run past its budget of {maxTokens:N0} tokens ({state.Usage.Total:N0} used)."
            : null;
    }

    private string? DetectLoop(RunState state, List<FunctionCallContent> calls)
    {
        if (_options.LoopDetection is not { } loop)
        {
            return null;
        }

        var recent = state.ToolCalls.Where(c => c.Agent is null).Select(c => Signature(c.Name, c.ArgumentsJson))
            .Concat(calls.Select(c => Signature(c.Name, ArgumentsJson(c))))
            .TakeLast(loop.Window)
            .ToList();
        var repeated = recent.GroupBy(s => s, StringComparer.Ordinal).FirstOrDefault(g => g.Count() >= loop.Repeats);
        return repeated is null
            ? null
            : $"The model called {repeated.Key} {repeated.Count()} times within its last {recent.Count} tool calls (loop_detection: {loop.Repeats} in {loop.Window}).";
    }

    /// <summary>A run's id: 64 random bits (a Guid asks the kernel for randomness, a measurable cost at thousands of runs).</summary>
    private static string NewRunId() => $"run_{Random.Shared.NextInt64():x16}";

    /// <summary>A failure in one line: for an HTTP error, the status and the provider's own message.</summary>
    private static string Short(Exception error)
    {
        var message = error.Message;
        if (error is Resilience.StreamStalledException stalled)
        {
            message = $"the model's stream sent nothing for {stalled.Idle.TotalSeconds:0.###} s after it had begun";
        }
        else if (error is Polly.Timeout.TimeoutRejectedException timeout)
        {
            message = $"the model call timed out after {timeout.Timeout.TotalSeconds:0.###} s";
        }
        else if (error is System.ClientModel.ClientResultException { Status: > 0 } http)
        {
            message = $"HTTP {http.Status}: {ProviderMessage(http) ?? message}";
        }

        var line = string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= 600 ? line : line[..600] + "…";
    }

    private static string? ProviderMessage(System.ClientModel.ClientResultException error)
    {
        try
        {
            var body = error.GetRawResponse()?.Content;
            if (body is null)
            {
                return null;
            }

            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var e) && e.ValueKind == System.Text.Json.JsonValueKind.Object
                && e.TryGetProperty("message", out var m) ? m.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>A client lent to a run's pipeline: disposing the pipeline leaves it to its owner.</summary>
    private sealed class Borrowed(IChatClient inner) : DelegatingChatClient(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // Not the run's to dispose.
        }
    }
}
