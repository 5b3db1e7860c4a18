namespace EvalHarness;

/// <summary>One turn of a conversation: the user's message and the agent's reply to it.</summary>
/// <param name="User">The user's message.</param>
/// <param name="Output">The reply's answer.</param>
/// <param name="ToolCalls">The tool calls made while replying.</param>
/// <param name="Outcome">How the turn ended (<c>completed</c>, or why the conversation stopped there).</param>
/// <param name="Steps">The model calls the reply took.</param>
internal sealed record TurnReport(string User, string Output, IReadOnlyList<ToolCallResult> ToolCalls, string Outcome, int Steps);
