using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Context;
using EvalHarness.Agents.MultiAgent;
using EvalHarness.Agents.Resilience;
using EvalHarness.Agents.Tools;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>What an agent is: its instructions, the tools it may call, and every guard it runs under.</summary>
/// <remarks>Validated when built, so a bad value fails at load time rather than mid-run.</remarks>
public sealed record AgentOptions
{
    /// <summary>Creates validated options.</summary>
    /// <exception cref="ArgumentException">A value is out of range or two tools share a name; the message says which.</exception>
    public AgentOptions(string modelId, string systemPrompt, IReadOnlyList<AgentTool> tools, AgentLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentNullException.ThrowIfNull(systemPrompt);
        ArgumentNullException.ThrowIfNull(tools);
        var duplicate = tools.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two tools are both named '{duplicate.Key}'; tool names must be unique.", nameof(tools));
        }

        ModelId = modelId;
        SystemPrompt = systemPrompt;
        Tools = tools;
        Limits = limits ?? new AgentLimits();
    }

    /// <summary>Creates options for plain functions with no traits, limited to <paramref name="maxSteps"/>.</summary>
    public AgentOptions(string modelId, string systemPrompt, IReadOnlyList<AIFunction> tools, int maxSteps)
        : this(modelId, systemPrompt, [.. tools.Select(t => new AgentTool(t))], new AgentLimits(maxSteps))
    {
    }

    /// <summary>The agent's name in traces.</summary>
    public string Name { get; init; } = "agent";

    /// <summary>The model id sent with every request.</summary>
    public string ModelId { get; }

    /// <summary>The system prompt that opens every conversation.</summary>
    public string SystemPrompt { get; }

    /// <summary>The only tools the model sees and may call (deny by default).</summary>
    public IReadOnlyList<AgentTool> Tools { get; }

    /// <summary>Steps, tokens, cost and time.</summary>
    public AgentLimits Limits { get; }

    /// <summary>Stops repeated identical tool calls; null turns it off.</summary>
    public LoopDetectionOptions? LoopDetection { get; init; } = new();

    /// <summary>How tool results are cut and cleaned.</summary>
    public ToolOutputPolicy ToolOutput { get; init; } = new();

    /// <summary>Whether dangerous arguments (shell chains, destructive SQL, path traversal) are refused.</summary>
    public bool GuardArguments { get; init; } = true;

    /// <summary>Retries, breaker and timeout of model calls; null for none.</summary>
    public ResilienceOptions? Resilience { get; init; } = new();

    /// <summary>A schema the final answer must match; null for free text.</summary>
    public StructuredOutputOptions? StructuredOutput { get; init; }

    /// <summary>The working window; null keeps the whole conversation.</summary>
    public ContextOptions? Context { get; init; }

    /// <summary>Specialists this agent can delegate to.</summary>
    public IReadOnlyList<SubAgent> SubAgents { get; init; } = [];

    /// <summary>Whether model calls stream their answers (see <see cref="OnTextDelta"/>).</summary>
    public bool Streaming { get; init; }

    /// <summary>Told of each piece of streamed answer text.</summary>
    public Action<string>? OnTextDelta { get; init; }

    /// <summary>Decides approvals; null leaves every call that needs one pending.</summary>
    public Func<ApprovalRequest, CancellationToken, ValueTask<ApprovalDecision>>? ApprovalGate { get; init; }

    /// <summary>The price of a model call in USD (model id, usage), or null when unknown.</summary>
    public Func<string, TokenUsage, decimal?>? Pricing { get; init; }

    /// <summary>The clock for timeouts, backoff and spans.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Checks what the constructor cannot: sub-agent names against tool names.</summary>
    /// <exception cref="ArgumentException">A clash or a bad name.</exception>
    public AgentOptions Validate()
    {
        foreach (var sub in SubAgents)
        {
            if (!sub.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') || sub.Name.Length == 0)
            {
                throw new ArgumentException($"Sub-agent name '{sub.Name}' may hold only letters, digits, '_' and '-'.");
            }

            if (Tools.Any(t => t.Name == sub.ToolName) || SubAgents.Count(s => s.Name == sub.Name) > 1)
            {
                throw new ArgumentException($"The sub-agent tool '{sub.ToolName}' clashes with another tool or sub-agent.");
            }

            sub.Options.Validate();
        }

        return this;
    }
}
