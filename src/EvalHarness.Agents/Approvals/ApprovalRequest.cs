namespace EvalHarness.Agents.Approvals;

/// <summary>A tool call waiting for a decision.</summary>
/// <param name="CallId">The model's id for the call.</param>
/// <param name="Tool">The tool's name.</param>
/// <param name="ArgumentsJson">The arguments as JSON.</param>
/// <param name="Rule">Why approval is needed.</param>
public sealed record ApprovalRequest(string CallId, string Tool, string ArgumentsJson, string Rule);
