namespace EvalHarness.Cassettes.Protocols;

/// <summary>What one recorded model call answered, read by its protocol.</summary>
/// <param name="Model">The model the request named (else the one the answer named), or null.</param>
/// <param name="Ok">Whether the call was answered with a 2xx and no fault.</param>
/// <param name="Status"><c>ok</c>, the fault (<c>timeout</c>, <c>reset</c>, <c>truncated</c>) or <c>HTTP 429</c>.</param>
/// <param name="Text">The answer's text.</param>
/// <param name="ToolCalls">The tool calls the model asked for, in order.</param>
/// <param name="InputTokens">Input tokens (cached ones included).</param>
/// <param name="OutputTokens">Output tokens.</param>
public sealed record ModelAnswer(string? Model, bool Ok, string Status, string Text, IReadOnlyList<ModelToolCall> ToolCalls, long InputTokens, long OutputTokens);

/// <summary>A tool call as the model asked for it.</summary>
/// <param name="Id">The call's id (a protocol without ids uses the tool's name, which its result names too).</param>
/// <param name="Name">The tool's name.</param>
/// <param name="Arguments">The arguments as JSON text.</param>
public sealed record ModelToolCall(string Id, string Name, string Arguments);

/// <summary>What one recorded request sent, read by its protocol: the conversation so far and the tool results in it.</summary>
/// <param name="Messages">The conversation as its roles and texts (tool calls written <c>→ name(args)</c>, results <c>← text</c>).</param>
/// <param name="ToolResults">The tool results the agent sent back, in order.</param>
public sealed record ModelRequest(IReadOnlyList<ModelMessage> Messages, IReadOnlyList<ModelToolResult> ToolResults);

/// <summary>One message of a conversation.</summary>
/// <param name="Role"><c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</param>
/// <param name="Text">Its text.</param>
public sealed record ModelMessage(string Role, string Text);

/// <summary>A tool result the agent sent back.</summary>
/// <param name="CallId">The id of the call it answers.</param>
/// <param name="Text">The result as text.</param>
/// <param name="IsError">The protocol's own error flag (Anthropic's <c>is_error</c>), or null where the protocol has none.</param>
public sealed record ModelToolResult(string CallId, string Text, bool? IsError);
