namespace EvalHarness.Core.Suites;

/// <summary>The agent a suite evaluates: model, instructions, allowed tools and limits.</summary>
/// <param name="Model">The model and its wire protocol.</param>
/// <param name="SystemPrompt">The system prompt text (already read from its file).</param>
/// <param name="SystemPromptSource">Where the prompt came from: a path relative to the suite, or <c>inline</c>.</param>
/// <param name="Tools">Qualified tool names, e.g. <c>orders.refund_order</c>.</param>
/// <param name="MaxSteps">The most model calls one run may make.</param>
public sealed record AgentConfig(ModelRef Model, string SystemPrompt, string SystemPromptSource, IReadOnlyList<string> Tools, int MaxSteps);
