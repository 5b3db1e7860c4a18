namespace EvalHarness;

/// <summary>One message of a run's conversation, flattened to text for reports.</summary>
/// <param name="Role">system, user, assistant or tool.</param>
/// <param name="Text">The message's text; tool calls and results are written out.</param>
public sealed record TranscriptEntry(string Role, string Text);
