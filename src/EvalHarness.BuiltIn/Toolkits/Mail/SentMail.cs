namespace EvalHarness.BuiltIn;

/// <summary>An email the agent sent.</summary>
public sealed record SentMail(string To, string Subject, string Body);
