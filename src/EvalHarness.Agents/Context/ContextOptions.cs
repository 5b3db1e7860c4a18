namespace EvalHarness.Agents.Context;

/// <summary>
/// A working window for the conversation: when its estimated size passes <see cref="MaxTokens"/>, the
/// older turns are summarised by a model call (on <see cref="SummaryModelId"/>, often a cheaper model)
/// and replaced by the summary; the last <see cref="KeepLastMessages"/> messages stay as they are.
/// </summary>
public sealed record ContextOptions
{
    /// <summary>Creates options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A window below 200 tokens or fewer than 2 kept messages.</exception>
    public ContextOptions(int maxTokens, int keepLastMessages = 4, string? summaryModelId = null)
    {
        if (maxTokens < 200)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "context.max_tokens must be at least 200.");
        }

        if (keepLastMessages < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(keepLastMessages), keepLastMessages, "context.keep_last must be at least 2.");
        }

        MaxTokens = maxTokens;
        KeepLastMessages = keepLastMessages;
        SummaryModelId = summaryModelId;
    }

    /// <summary>The estimated size at which older turns are summarised.</summary>
    public int MaxTokens { get; }

    /// <summary>How many recent messages are never summarised.</summary>
    public int KeepLastMessages { get; }

    /// <summary>The model that writes summaries; null for the agent's own model.</summary>
    public string? SummaryModelId { get; }
}
