namespace EvalHarness.Core.Suites;

/// <summary>One user turn of a scripted conversation, and what the agent's reply to it must satisfy.</summary>
/// <param name="User">What the user says.</param>
/// <param name="Expect">Checked on this turn's reply: its output and the tools called in it; null for none.</param>
/// <param name="Line">The turn's line in the suite file.</param>
public sealed record ConversationTurn(string User, Expectations? Expect, int Line);
