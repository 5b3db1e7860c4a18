using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Toolkits;

/// <summary>A case's orders: seeded from the suite's fixtures, changed only by the agent's tools.</summary>
public sealed class OrdersDatabase
{
    private readonly Dictionary<string, Order> _orders;

    /// <summary>Creates a database holding copies of <paramref name="seed"/>.</summary>
    public OrdersDatabase(IEnumerable<Order> seed) =>
        _orders = seed.ToDictionary(o => o.Id, StringComparer.OrdinalIgnoreCase);

    /// <summary>The orders as they stand now, by id.</summary>
    public IReadOnlyCollection<Order> All => _orders.Values;

    /// <summary>Finds an order.</summary>
    public Order Lookup(string orderId) =>
        _orders.TryGetValue(orderId.Trim(), out var order) ? order : throw new InvalidOperationException($"There is no order '{orderId}'.");

    /// <summary>Orders placed by one customer.</summary>
    public IReadOnlyList<Order> ForCustomer(string email) =>
        _orders.Values.Where(o => o.Customer.Equals(email.Trim(), StringComparison.OrdinalIgnoreCase)).OrderBy(o => o.Id, StringComparer.Ordinal).ToList();

    /// <summary>Refunds an order in full; an order already refunded or cancelled cannot be.</summary>
    public Order Refund(string orderId)
    {
        var order = Lookup(orderId);
        if (order.Status is "refunded" or "cancelled")
        {
            throw new InvalidOperationException($"Order {order.Id} is {order.Status} and cannot be refunded.");
        }

        var refunded = order with { Status = "refunded" };
        _orders[order.Id] = refunded;
        return refunded;
    }
}
