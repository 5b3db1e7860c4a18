namespace EvalHarness.BuiltIn;

/// <summary>A document in a suite's fixtures.</summary>
public sealed record Document(string Id, string Title, string Text);
