using System.Text.Json;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>
/// A tool-calling agent: sends the conversation and its tools to the model, runs the tool calls the
/// model asks for, appends their results, and repeats until the model answers in text or a limit stops it.
/// </summary>
public sealed class Agent
{
    private readonly IChatClient _client;
    private readonly AgentOptions _options;
    private readonly Dictionary<string, AIFunction> _tools;

    /// <summary>Creates an agent that talks to <paramref name="client"/>.</summary>
    public Agent(IChatClient client, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
        _tools = options.Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Runs the agent on one user input until it answers or a limit ends the run.</summary>
    public async Task<AgentRun> RunAsync(string input, CancellationToken cancellationToken = default)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, _options.SystemPrompt),
            new(ChatRole.User, input),
        };
        var toolCalls = new List<ToolCallRecord>();
        var chatOptions = new ChatOptions { ModelId = _options.ModelId, Tools = [.. _options.Tools] };
        var usage = default(TokenUsage);
        var lastText = string.Empty;

        AgentRun End(AgentOutcome outcome, string reason, int steps) => new()
        {
            Outcome = outcome,
            Reason = reason,
            FinalText = lastText,
            Messages = messages,
            ToolCalls = toolCalls,
            Steps = steps,
            Usage = usage,
        };

        for (var step = 1; step <= _options.MaxSteps; step++)
        {
            ChatResponse response;
            try
            {
                response = await _client.GetResponseAsync(messages, chatOptions, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return End(AgentOutcome.Cancelled, "The run was cancelled.", step - 1);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return End(AgentOutcome.Failed, $"Model call {step} failed: {ex.Message}", step);
            }

            usage += TokenUsage.From(response.Usage);
            messages.AddRange(response.Messages);
            if (!string.IsNullOrEmpty(response.Text))
            {
                lastText = response.Text;
            }

            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                return End(AgentOutcome.Completed, "The model gave a final answer.", step);
            }

            var results = new List<AIContent>(calls.Count);
            foreach (var call in calls)
            {
                var record = await InvokeAsync(step, call, cancellationToken);
                toolCalls.Add(record);
                results.Add(new FunctionResultContent(call.CallId, record.Result));
            }

            messages.Add(new ChatMessage(ChatRole.Tool, results));
        }

        return End(AgentOutcome.MaxSteps, $"No final answer within max_steps ({_options.MaxSteps}).", _options.MaxSteps);
    }

    private async Task<ToolCallRecord> InvokeAsync(int step, FunctionCallContent call, CancellationToken cancellationToken)
    {
        var argumentsJson = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AgentJson.Options);
        if (call.Exception is not null)
        {
            return new(step, call.CallId, call.Name, argumentsJson, $"Error: the arguments are not valid JSON ({call.Exception.Message}).", IsError: true);
        }

        if (!_tools.TryGetValue(call.Name, out var tool))
        {
            var known = string.Join(", ", _tools.Keys.Order(StringComparer.Ordinal));
            return new(step, call.CallId, call.Name, argumentsJson, $"Error: there is no tool named '{call.Name}'. Available tools: {known}.", IsError: true);
        }

        try
        {
            var result = await tool.InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken);
            return new(step, call.CallId, call.Name, argumentsJson, AgentJson.Stringify(result), IsError: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failing tool is an observation for the model, never a crash of the run.
            var message = ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner.Message : ex.Message;
            return new(step, call.CallId, call.Name, argumentsJson, $"Error: {message}", IsError: true);
        }
    }
}
