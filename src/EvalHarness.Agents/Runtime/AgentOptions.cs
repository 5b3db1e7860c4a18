using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>What an agent is: its instructions, the tools it may call and the limits it runs under.</summary>
/// <remarks>Validated when built, so a bad value fails at load time rather than mid-run.</remarks>
public sealed record AgentOptions
{
    /// <summary>Creates validated options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message says which and why.</exception>
    public AgentOptions(string modelId, string systemPrompt, IReadOnlyList<AIFunction> tools, int maxSteps)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentNullException.ThrowIfNull(systemPrompt);
        ArgumentNullException.ThrowIfNull(tools);
        if (maxSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "max_steps must be at least 1.");
        }

        var duplicate = tools.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two tools are both named '{duplicate.Key}'; tool names must be unique.", nameof(tools));
        }

        ModelId = modelId;
        SystemPrompt = systemPrompt;
        Tools = tools;
        MaxSteps = maxSteps;
    }

    /// <summary>The model id sent with every request.</summary>
    public string ModelId { get; }

    /// <summary>The system prompt that opens every conversation.</summary>
    public string SystemPrompt { get; }

    /// <summary>The tools the model may call, by their wire names.</summary>
    public IReadOnlyList<AIFunction> Tools { get; }

    /// <summary>The most model calls one run may make.</summary>
    public int MaxSteps { get; }
}
