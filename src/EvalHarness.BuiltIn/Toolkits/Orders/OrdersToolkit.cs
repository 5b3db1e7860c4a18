using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>Orders and customers on an in-memory SQLite database: look up, list, refund, credit.</summary>
internal sealed class OrdersToolkit : BuiltInToolkit
{
    public override string Name => "orders";

    public override IReadOnlyList<string> FixtureKeys => ["orders"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("lookup_order", env => AIFunctionFactory.Create(
            ([Description("The order id, e.g. A100")] string order_id) => env.Orders.Lookup(order_id),
            "lookup_order", "Looks up an order by id: customer, item, total and status.")),
        Tool("list_orders", env => AIFunctionFactory.Create(
            ([Description("The customer's email address")] string customer_email) => env.Orders.ForCustomer(customer_email),
            "list_orders", "Lists a customer's orders by their email address.")),
        Tool("refund_order", env => AIFunctionFactory.Create(
            ([Description("The order id")] string order_id, [Description("Why the customer wants a refund")] string reason) =>
            {
                var order = env.Orders.Refund(order_id);
                return new { order.Id, order.Status, refunded = order.Total, reason };
            },
            "refund_order", "Refunds an order in full. Only for orders that are not already refunded or cancelled."), sideEffecting: true),
        Tool("issue_credit", env => AIFunctionFactory.Create(
            ([Description("The order id")] string order_id, [Description("Store credit in USD")] decimal amount, [Description("Why")] string reason) =>
                new { order_id = env.Orders.Lookup(order_id).Id, credit = amount, reason, status = "credited" },
            "issue_credit", "Gives a customer store credit against an order."), sideEffecting: true),
    ];
}
