using System.ComponentModel;

namespace StockDesk;

/// <summary>The shop's stock, in memory: the one tool the agent has, <c>check_stock(sku)</c>, reads it.</summary>
internal static class Inventory
{
    private static readonly Dictionary<string, Item> Items = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SKU-100"] = new("trail running shoes", 12, null),
        ["SKU-200"] = new("rain jacket", 0, "2026-12-18"),
        ["SKU-300"] = new("two-person tent", 3, null),
    };

    [Description("Looks up a product's stock by its SKU (e.g. SKU-100): its name, how many are in stock and, when none are, when more arrive.")]
    public static object CheckStock([Description("The product's SKU, e.g. SKU-100")] string sku) =>
        Items.TryGetValue(sku.Trim(), out var item)
            ? new { sku = sku.Trim().ToUpperInvariant(), item.Name, in_stock = item.InStock, restock_date = item.RestockDate }
            : new { sku, error = "no product with this SKU" };

    private sealed record Item(string Name, int InStock, string? RestockDate);
}
