namespace EvalHarness.BuiltIn;

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

    /// <summary>Tests the scripted test runner runs against the workspace.</summary>
    public IReadOnlyList<TestSpec> Tests { get; init; } = [];

    /// <summary>Tables of the read-only SQL database, as rows of column values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>> Tables { get; init; } =
        new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>>();

    /// <summary>Web pages the web toolkit serves, by URL.</summary>
    public IReadOnlyDictionary<string, string> Pages { get; init; } = new Dictionary<string, string>();

    /// <summary>What the frozen clock says.</summary>
    public DateTimeOffset Now { get; init; } = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Facts the agent's long-term memory starts with.</summary>
    public IReadOnlyList<string> Memories { get; init; } = [];

    /// <summary>Fixtures of the toolkits the suite loads (<c>toolkits:</c>), by key, as JSON.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Extra { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();
}
