using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Toolkits;

/// <summary>
/// The tools a suite can give its agent, by qualified name (<c>toolkit.tool</c>). The model sees the
/// bare tool name; a suite's allow-list is checked against this catalog when it loads.
/// </summary>
public static class ToolCatalog
{
    private static readonly Dictionary<string, Func<CaseEnvironment, AIFunction>> Factories = new(StringComparer.Ordinal)
    {
        ["orders.lookup_order"] = env => AIFunctionFactory.Create(
            ([Description("The order id, e.g. A100")] string order_id) => env.Orders.Lookup(order_id),
            "lookup_order",
            "Looks up an order by id: customer, item, total and status."),
        ["orders.list_orders"] = env => AIFunctionFactory.Create(
            ([Description("The customer's email address")] string customer_email) => env.Orders.ForCustomer(customer_email),
            "list_orders",
            "Lists a customer's orders by their email address."),
        ["orders.refund_order"] = env => AIFunctionFactory.Create(
            ([Description("The order id")] string order_id, [Description("Why the customer wants a refund")] string reason) =>
            {
                var order = env.Orders.Refund(order_id);
                return new { order.Id, order.Status, refunded = order.Total, reason };
            },
            "refund_order",
            "Refunds an order in full. Only for orders that are not already refunded or cancelled."),
        ["mail.send_email"] = env => AIFunctionFactory.Create(
            ([Description("Recipient address")] string to, [Description("Subject line")] string subject, [Description("Plain-text body")] string body) =>
            {
                env.Mail.Send(to, subject, body);
                return "sent";
            },
            "send_email",
            "Sends an email to a customer."),
    };

    /// <summary>Every qualified tool name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The name the model sees for a qualified name: the part after the toolkit.</summary>
    public static string WireName(string qualifiedName) => qualifiedName[(qualifiedName.IndexOf('.', StringComparison.Ordinal) + 1)..];

    /// <summary>Builds the allow-listed tools over one case's environment.</summary>
    public static IReadOnlyList<AIFunction> Build(CaseEnvironment environment, IEnumerable<string> qualifiedNames) =>
        qualifiedNames.Select(name => Factories.TryGetValue(name, out var factory)
            ? factory(environment)
            : throw new ArgumentException($"There is no tool '{name}'.", nameof(qualifiedNames))).ToList();
}
