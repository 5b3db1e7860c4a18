namespace EvalHarness.BuiltIn;

/// <summary>An order in a suite's fixtures.</summary>
public sealed record Order(string Id, string Customer, decimal Total, string Status, string Item);
