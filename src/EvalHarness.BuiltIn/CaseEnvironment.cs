using System.Text.Json;
using EvalHarness.Agents.Memory;

namespace EvalHarness.BuiltIn;

/// <summary>The world one case runs in, fresh for every case so cases cannot affect each other.</summary>
public sealed class CaseEnvironment : IDisposable
{
    private readonly Dictionary<string, int> _stockFailures;
    private readonly Lazy<OrdersDatabase> _orders;
    private readonly Lazy<MemoryStore> _memory;
    private readonly Fixtures _fixtures;
    private readonly Dictionary<IToolkit, IToolkitState> _states = [];

    private CaseEnvironment(Fixtures fixtures, IEnumerable<string> memories, IReadOnlyList<IToolkit> toolkits)
    {
        _fixtures = fixtures;
        Toolkits = toolkits;
        // The SQLite databases are made on first use: most cases never touch orders or memory,
        // and opening and seeding them was half of what a replayed case cost.
        _orders = new Lazy<OrdersDatabase>(() => new OrdersDatabase(fixtures.Orders));
        _memory = new Lazy<MemoryStore>(() =>
        {
            var store = new MemoryStore(":memory:", TimeProvider.System);
            foreach (var memory in memories)
            {
                store.Remember(memory);
            }

            return store;
        });
        Mail = new Mailbox();
        Documents = fixtures.Documents;
        Workspace = new Workspace(fixtures.Files);
        Tests = fixtures.Tests;
        Pages = fixtures.Pages;
        Now = fixtures.Now;
        Sql = fixtures.Tables.Count > 0 ? new SqlDatabase(fixtures.Tables) : null;
        Inventory = fixtures.Inventory;
        _stockFailures = fixtures.Inventory.ToDictionary(i => i.Sku, i => i.FlakyFailures, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The orders database.</summary>
    public OrdersDatabase Orders => _orders.Value;

    /// <summary>The outbox.</summary>
    public Mailbox Mail { get; }

    /// <summary>Documents for search.</summary>
    public IReadOnlyList<Document> Documents { get; }

    /// <summary>The sandboxed files, readable and writable by the agent.</summary>
    public Workspace Workspace { get; }

    /// <summary>Web pages by URL.</summary>
    public IReadOnlyDictionary<string, string> Pages { get; }

    /// <summary>The tests the scripted test runner runs.</summary>
    public IReadOnlyList<TestSpec> Tests { get; }

    /// <summary>What the frozen clock says.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The read-only SQL database, when the suite has tables.</summary>
    public SqlDatabase? Sql { get; }

    /// <summary>Runs the tests against the workspace: which passed, and why the others failed.</summary>
    public (int Passed, IReadOnlyList<string> Failures) RunTests()
    {
        var failures = Tests
            .Where(t => !Workspace.Files.TryGetValue(t.File, out var text) || !text.Contains(t.Expect, StringComparison.Ordinal))
            .Select(t => $"{t.Name}: {t.File} does not do what the test expects ({(Workspace.Files.ContainsKey(t.File) ? "wrong result" : "file missing")})")
            .ToList();
        return (Tests.Count - failures.Count, failures);
    }

    /// <summary>Stock levels.</summary>
    public IReadOnlyList<StockItem> Inventory { get; }

    /// <summary>Long-term memory, in memory for the case.</summary>
    public MemoryStore Memory => _memory.Value;

    /// <summary>The toolkits the suite loaded besides the built-in ones (<c>toolkits:</c>).</summary>
    public IReadOnlyList<IToolkit> Toolkits { get; }

    /// <summary>Creates a fresh environment from a suite's fixtures plus a scenario's memories, with the suite's own toolkits.</summary>
    public static CaseEnvironment Create(Fixtures fixtures, IEnumerable<string>? memories = null, IReadOnlyList<IToolkit>? toolkits = null)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        return new(fixtures, [.. fixtures.Memories, .. memories ?? []], toolkits ?? []);
    }

    /// <summary>A toolkit's state in this case, made on first use.</summary>
    public IToolkitState StateOf(IToolkit toolkit)
    {
        ArgumentNullException.ThrowIfNull(toolkit);
        lock (_states)
        {
            if (!_states.TryGetValue(toolkit, out var state))
            {
                var fixtures = _fixtures.Extra.Where(kv => toolkit.FixtureKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                _states[toolkit] = state = toolkit.CreateState(new ToolkitContext(fixtures, this));
            }

            return state;
        }
    }

    /// <summary>
    /// The value at a state path after the run: a loaded toolkit's (by its name, the path's first segment), else the
    /// built-in toolkits' (<see cref="StateReader"/>). Null when there is nothing there.
    /// </summary>
    public JsonElement? ReadState(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && Toolkits.FirstOrDefault(t => t.Name == path[..dot]) is { } toolkit
            ? StateOf(toolkit).Read(path[(dot + 1)..])
            : StateReader.IsValid(path) ? StateReader.Read(this, path) : null;
    }

    /// <summary>True while an item's scripted transient failures are not used up; each call uses one.</summary>
    public bool TakeStockFailure(string sku)
    {
        lock (_stockFailures)
        {
            if (_stockFailures.TryGetValue(sku, out var left) && left > 0)
            {
                _stockFailures[sku] = left - 1;
                return true;
            }

            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_orders.IsValueCreated)
        {
            _orders.Value.Dispose();
        }

        if (_memory.IsValueCreated)
        {
            _memory.Value.Dispose();
        }

        Sql?.Dispose();
        foreach (var state in _states.Values)
        {
            state.Dispose();
        }
    }
}
