using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>Tokens a run consumed, summed over its model calls.</summary>
public readonly record struct TokenUsage(long Input, long Output, long CachedInput = 0, long Reasoning = 0)
{
    /// <summary>Input plus output tokens.</summary>
    public long Total => Input + Output;

    /// <summary>Adds two usages.</summary>
    public static TokenUsage operator +(TokenUsage left, TokenUsage right) => new(
        left.Input + right.Input,
        left.Output + right.Output,
        left.CachedInput + right.CachedInput,
        left.Reasoning + right.Reasoning);

    /// <summary>Reads the usage a provider reported; missing counts are zero.</summary>
    public static TokenUsage From(UsageDetails? usage) => usage is null
        ? default
        : new(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0, usage.CachedInputTokenCount ?? 0, usage.ReasoningTokenCount ?? 0);
}
