using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EvalHarness.BuiltIn;

/// <summary>A case's orders and customers: an in-memory SQLite database seeded from the suite, changed only by the agent's tools.</summary>
public sealed class OrdersDatabase : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    /// <summary>Creates a database holding <paramref name="seed"/>; customers are the orders' distinct emails.</summary>
    public OrdersDatabase(IEnumerable<Order> seed)
    {
        _connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
        _connection.Open();
        Execute("""
            CREATE TABLE customers (email TEXT PRIMARY KEY COLLATE NOCASE);
            CREATE TABLE orders (id TEXT PRIMARY KEY COLLATE NOCASE, customer TEXT NOT NULL COLLATE NOCASE REFERENCES customers(email),
                                 total TEXT NOT NULL, status TEXT NOT NULL, item TEXT NOT NULL);
            """);
        foreach (var order in seed)
        {
            Execute("INSERT OR IGNORE INTO customers (email) VALUES ($email)", ("$email", order.Customer));
            Execute("INSERT INTO orders (id, customer, total, status, item) VALUES ($id, $customer, $total, $status, $item)",
                ("$id", order.Id), ("$customer", order.Customer), ("$total", order.Total.ToString(CultureInfo.InvariantCulture)), ("$status", order.Status), ("$item", order.Item));
        }
    }

    /// <summary>The orders as they stand now, by id.</summary>
    public IReadOnlyCollection<Order> All => Select("SELECT id, customer, total, status, item FROM orders ORDER BY id");

    /// <summary>Finds an order.</summary>
    public Order Lookup(string orderId) =>
        Select("SELECT id, customer, total, status, item FROM orders WHERE id = $id", ("$id", orderId.Trim())).FirstOrDefault()
        ?? throw new InvalidOperationException($"There is no order '{orderId}'.");

    /// <summary>Orders placed by one customer.</summary>
    public IReadOnlyList<Order> ForCustomer(string email) =>
        Select("SELECT id, customer, total, status, item FROM orders WHERE customer = $email ORDER BY id", ("$email", email.Trim()));

    /// <summary>Refunds an order in full; an order already refunded or cancelled cannot be.</summary>
    public Order Refund(string orderId)
    {
        lock (_lock)
        {
            var order = Lookup(orderId);
            if (order.Status is "refunded" or "cancelled")
            {
                throw new InvalidOperationException($"Order {order.Id} is {order.Status} and cannot be refunded.");
            }

            Execute("UPDATE orders SET status = 'refunded' WHERE id = $id", ("$id", order.Id));
            return order with { Status = "refunded" };
        }
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private List<Order> Select(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_lock)
        {
            using var command = Command(sql, parameters);
            using var reader = command.ExecuteReader();
            var orders = new List<Order>();
            while (reader.Read())
            {
                orders.Add(new Order(reader.GetString(0), reader.GetString(1), decimal.Parse(reader.GetString(2), CultureInfo.InvariantCulture), reader.GetString(3), reader.GetString(4)));
            }

            return orders;
        }
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_lock)
        {
            using var command = Command(sql, parameters);
            command.ExecuteNonQuery();
        }
    }

    private SqliteCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
