using System.ComponentModel;
using EvalHarness.Agents.Tools;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>Stock levels, with scripted transient failures for testing retries.</summary>
internal sealed class InventoryToolkit : BuiltInToolkit
{
    public override string Name => "inventory";

    public override IReadOnlyList<string> FixtureKeys => ["inventory"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("check_stock", env => AIFunctionFactory.Create(
            ([Description("The product SKU")] string sku) =>
            {
                if (env.TakeStockFailure(sku))
                {
                    throw new TransientToolException("The inventory service timed out; try again.");
                }

                var item = env.Inventory.FirstOrDefault(i => i.Sku.Equals(sku, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidOperationException($"There is no product '{sku}'.");
                return new { item.Sku, item.Name, in_stock = item.Stock };
            },
            "check_stock", "Checks how many units of a product are in stock."), transientRetries: 2),
    ];
}
