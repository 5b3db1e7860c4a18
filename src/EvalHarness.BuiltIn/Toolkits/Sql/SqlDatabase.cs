using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace EvalHarness.BuiltIn;

/// <summary>A case's read-only SQL database: in-memory SQLite with the suite's tables, fresh for every case.</summary>
public sealed class SqlDatabase : IDisposable
{
    private const int MaxRows = 200;
    private readonly SqliteConnection _connection;

    /// <summary>Creates the database with one table per fixture entry; columns are the union of the rows' keys.</summary>
    public SqlDatabase(IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> tables)
    {
        _connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
        _connection.Open();
        foreach (var (table, rows) in tables)
        {
            var columns = rows.SelectMany(r => r.Keys).Distinct().ToList();
            Execute($"CREATE TABLE \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))})");
            foreach (var row in rows)
            {
                using var insert = _connection.CreateCommand();
                insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", row.Keys.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", row.Keys.Select((_, i) => $"$p{i}"))})";
                var i = 0;
                foreach (var value in row.Values)
                {
                    insert.Parameters.AddWithValue($"$p{i++}", value.ValueKind switch
                    {
                        JsonValueKind.Number => value.GetDecimal(),
                        JsonValueKind.String => value.GetString(),
                        JsonValueKind.True => 1,
                        JsonValueKind.False => 0,
                        _ => DBNull.Value,
                    });
                }

                insert.ExecuteNonQuery();
            }
        }

        Execute("PRAGMA query_only = ON");
    }

    /// <summary>Runs a read-only query and returns its rows (at most 200).</summary>
    /// <exception cref="InvalidOperationException">The statement is not a SELECT, or SQLite refused it; the message says why.</exception>
    public IReadOnlyList<Dictionary<string, object?>> Query(string sql)
    {
        var trimmed = sql.TrimStart();
        if (!(trimmed.StartsWith("select", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("with", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException("Only SELECT queries are allowed: the database is read-only.");
        }

        if (trimmed.TrimEnd().TrimEnd(';').Contains(';', StringComparison.Ordinal))
        {
            throw new InvalidOperationException("One statement at a time: the query holds a ';' before its end.");
        }

        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new List<Dictionary<string, object?>>();
            while (rows.Count < MaxRows && reader.Read())
            {
                var row = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i) is double d ? Math.Round(d, 6) : reader.GetValue(i);
                }

                rows.Add(row);
            }

            return rows;
        }
        catch (SqliteException ex)
        {
            var message = System.Text.RegularExpressions.Regex.Replace(ex.Message, @"^SQLite Error [0-9]+: ", string.Empty).Trim().TrimEnd('.').Trim('\'');
            throw new InvalidOperationException($"SQLite: {message}", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A number written without float noise, for results.</summary>
    internal static string Format(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
