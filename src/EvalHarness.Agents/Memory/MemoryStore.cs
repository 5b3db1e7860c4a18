using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Memory;

/// <summary>
/// Episodic long-term memory on SQLite with full-text search (FTS5). A file-backed store persists across
/// runs; <c>:memory:</c> lives as long as the store. The agent reaches it through remember/recall tools.
/// </summary>
public sealed partial class MemoryStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    /// <summary>Opens (or creates) the store at <paramref name="path"/>, or an in-memory one for <c>:memory:</c>.</summary>
    public MemoryStore(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _time = time ?? TimeProvider.System;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            CREATE TABLE IF NOT EXISTS memories (id INTEGER PRIMARY KEY, text TEXT NOT NULL, remembered_at TEXT NOT NULL);
            CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(text, content='memories', content_rowid='id');
            CREATE TRIGGER IF NOT EXISTS memories_ai AFTER INSERT ON memories BEGIN
              INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);
            END;
            """);
    }

    /// <summary>Stores a memory and returns it.</summary>
    public MemoryRecord Remember(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var at = _time.GetUtcNow();
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO memories (text, remembered_at) VALUES ($text, $at) RETURNING id";
            command.Parameters.AddWithValue("$text", text.Trim());
            command.Parameters.AddWithValue("$at", at.ToString("O", CultureInfo.InvariantCulture));
            return new MemoryRecord((long)command.ExecuteScalar()!, text.Trim(), at);
        }
    }

    /// <summary>The memories that best match <paramref name="query"/> (any of its words), best first.</summary>
    public IReadOnlyList<MemoryRecord> Recall(string query, int limit = 5)
    {
        var words = Word().Matches(query ?? string.Empty).Select(m => m.Value.ToLowerInvariant()).Where(w => w.Length > 1).Distinct().ToList();
        if (words.Count == 0)
        {
            return [];
        }

        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT m.id, m.text, m.remembered_at FROM memories_fts f JOIN memories m ON m.id = f.rowid
                WHERE memories_fts MATCH $query ORDER BY bm25(memories_fts), m.id LIMIT $limit
                """;
            // Each word quoted, so user text cannot inject FTS syntax.
            command.Parameters.AddWithValue("$query", string.Join(" OR ", words.Select(w => $"\"{w}\"")));
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var results = new List<MemoryRecord>();
            while (reader.Read())
            {
                results.Add(new MemoryRecord(reader.GetInt64(0), reader.GetString(1), DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture)));
            }

            return results;
        }
    }

    /// <summary>How many memories the store holds.</summary>
    public long Count
    {
        get
        {
            lock (_lock)
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM memories";
                return (long)command.ExecuteScalar()!;
            }
        }
    }

    /// <summary>The remember and recall tools over this store.</summary>
    public IReadOnlyList<AIFunction> CreateTools() =>
    [
        AIFunctionFactory.Create(
            ([System.ComponentModel.Description("A fact worth keeping for later conversations")] string text) => $"Remembered (#{Remember(text).Id}).",
            "remember",
            "Stores a fact in long-term memory so later conversations can recall it."),
        AIFunctionFactory.Create(
            ([System.ComponentModel.Description("Words to search memory for")] string query) =>
            {
                var found = Recall(query);
                return found.Count == 0 ? "Nothing remembered about that." : string.Join("\n", found.Select(m => $"- {m.Text}"));
            },
            "recall",
            "Searches long-term memory for facts from earlier conversations."),
    ];

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
