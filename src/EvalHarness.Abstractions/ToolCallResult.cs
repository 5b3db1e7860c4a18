namespace EvalHarness;

/// <summary>A tool call as a result records it.</summary>
/// <param name="Step">The step that asked for it.</param>
/// <param name="Tool">The qualified tool name (or the wire name, for a tool the agent does not have).</param>
/// <param name="Arguments">The arguments as JSON text.</param>
/// <param name="Result">What the model was shown.</param>
/// <param name="IsError">Whether the call failed.</param>
/// <param name="Status">ok, error, unknown_tool, invalid_args, guard_blocked, denied, replayed or delegated.</param>
/// <param name="Agent">The specialist or pipeline stage that made the call; null for the agent itself.</param>
public sealed record ToolCallResult(int Step, string Tool, string Arguments, string Result, bool IsError, string Status = "ok", string? Agent = null);
