namespace EvalHarness.BuiltIn;

/// <summary>An inventory item; <paramref name="FlakyFailures"/> transient failures come before the stock check answers.</summary>
public sealed record StockItem(string Sku, string Name, int Stock, int FlakyFailures);
