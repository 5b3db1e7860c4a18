using EvalHarness.Agents.Memory;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Toolkits;

/// <summary>The world one case runs in, fresh for every case so cases cannot affect each other.</summary>
public sealed class CaseEnvironment : IDisposable
{
    private readonly Dictionary<string, int> _stockFailures;

    private CaseEnvironment(Fixtures fixtures, IEnumerable<string> memories)
    {
        Orders = new OrdersDatabase(fixtures.Orders);
        Mail = new Mailbox();
        Documents = fixtures.Documents;
        Files = fixtures.Files;
        Inventory = fixtures.Inventory;
        _stockFailures = fixtures.Inventory.ToDictionary(i => i.Sku, i => i.FlakyFailures, StringComparer.OrdinalIgnoreCase);
        Memory = new MemoryStore(":memory:", TimeProvider.System);
        foreach (var memory in memories)
        {
            Memory.Remember(memory);
        }
    }

    /// <summary>The orders database.</summary>
    public OrdersDatabase Orders { get; }

    /// <summary>The outbox.</summary>
    public Mailbox Mail { get; }

    /// <summary>Documents for search.</summary>
    public IReadOnlyList<Document> Documents { get; }

    /// <summary>The sandboxed files.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    /// <summary>Stock levels.</summary>
    public IReadOnlyList<StockItem> Inventory { get; }

    /// <summary>Long-term memory, in memory for the case.</summary>
    public MemoryStore Memory { get; }

    /// <summary>Creates a fresh environment from a suite's fixtures plus a scenario's memories.</summary>
    public static CaseEnvironment Create(Fixtures fixtures, IEnumerable<string>? memories = null) =>
        new(fixtures, fixtures.Memories.Concat(memories ?? []));

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
    public void Dispose() => Memory.Dispose();
}
