namespace EvalHarness.Core.Suites;

/// <summary>The data a suite seeds each case's environment with.</summary>
public sealed record Fixtures
{
    /// <summary>The orders the orders toolkit serves.</summary>
    public IReadOnlyList<Order> Orders { get; init; } = [];

    /// <summary>Documents the docs toolkit searches.</summary>
    public IReadOnlyList<Document> Documents { get; init; } = [];

    /// <summary>Files of the sandboxed file area, by relative path.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>Stock levels the inventory toolkit serves.</summary>
    public IReadOnlyList<StockItem> Inventory { get; init; } = [];

    /// <summary>Facts the agent's long-term memory starts with.</summary>
    public IReadOnlyList<string> Memories { get; init; } = [];
}
