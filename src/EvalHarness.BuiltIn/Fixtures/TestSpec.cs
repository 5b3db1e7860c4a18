namespace EvalHarness.BuiltIn;

/// <summary>A test of the scripted test runner: it passes when <paramref name="File"/> in the workspace contains <paramref name="Expect"/>.</summary>
public sealed record TestSpec(string Name, string File, string Expect);
