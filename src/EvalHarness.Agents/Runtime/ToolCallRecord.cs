namespace EvalHarness.Agents.Runtime;

/// <summary>One tool call the model asked for and what came of it.</summary>
/// <param name="Step">The 1-based step (model call) that asked for it.</param>
/// <param name="CallId">The id the model gave the call.</param>
/// <param name="Name">The tool's wire name.</param>
/// <param name="ArgumentsJson">The arguments as the model sent them, as a JSON object.</param>
/// <param name="Result">What the model was shown: the tool's result or the error.</param>
/// <param name="IsError">True when the call did not produce a result.</param>
/// <param name="Status">
/// <c>ok</c>, <c>error</c>, <c>unknown_tool</c>, <c>invalid_args</c>, <c>guard_blocked</c>, <c>denied</c>,
/// <c>replayed</c> (a repeated side effect answered from the first call) or <c>delegated</c>.
/// </param>
/// <param name="Agent">The specialist (or pipeline stage) that made the call; null for the agent itself.</param>
public sealed record ToolCallRecord(int Step, string CallId, string Name, string ArgumentsJson, string Result, bool IsError, string Status = "ok", string? Agent = null);
