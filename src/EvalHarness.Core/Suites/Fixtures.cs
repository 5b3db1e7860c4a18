namespace EvalHarness.Core.Suites;

/// <summary>The data a suite seeds each case's environment with.</summary>
public sealed record Fixtures
{
    /// <summary>The orders the orders toolkit serves.</summary>
    public IReadOnlyList<Order> Orders { get; init; } = [];
}
