using System.Text.Encodings.Web;
using System.Text.Json;

namespace EvalHarness.Core.Results;

/// <summary>
/// Keeps a large run's case details on disk while it runs (past <see cref="InMemoryUpTo"/> cases): each finished case is written whole to a temporary file,
/// and only its summary stays in memory (no transcript, tool calls or trace, and only the counters that are not
/// zero). The reports read the details back one case at a time (<see cref="RunResult.WithDetails"/>), so a run's
/// memory does not grow with its transcripts. The file is made with the first case written to it, and deleted when the
/// spool is disposed.
/// </summary>
internal sealed class CaseSpool : IDisposable
{
    /// <summary>
    /// How many cases a run keeps whole in memory instead (about 20 KB each): writing and reading them again cost a
    /// 1,000-case replay more than holding them, and the spool is for memory that grows with a run's size.
    /// </summary>
    public const int InMemoryUpTo = 2_000;

    private static readonly JsonSerializerOptions Options = new(ResultsJsonContext.Default.Options)
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly ResultsJsonContext Context = new(Options);

    private FileStream? _file;
    private readonly Dictionary<int, (long Offset, int Length)> _where = [];
    private readonly Lock _lock = new();
    private long _length;

    /// <summary>A spool whose file will be in <paramref name="directory"/> (default: the temp folder).</summary>
    public CaseSpool(string? directory = null) =>
        Path = System.IO.Path.Combine(directory ?? System.IO.Path.GetTempPath(), $"evalh-cases-{Guid.NewGuid():N}.jsonl");

    /// <summary>The spool file (there from the first case written).</summary>
    public string Path { get; }

    /// <summary>Writes <paramref name="full"/> to the spool and returns it without its details.</summary>
    public CaseResult Add(CaseResult full)
    {
        ArgumentNullException.ThrowIfNull(full);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(full, Context.CaseResult);
        lock (_lock)
        {
            if (_where.ContainsKey(full.Index))
            {
                throw new InvalidOperationException($"The spool already holds case #{full.Index}; a run's cases have distinct indexes.");
            }

            _file ??= new FileStream(Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            RandomAccess.Write(_file.SafeFileHandle, bytes, _length);
            _where[full.Index] = (_length, bytes.Length);
            _length += bytes.Length;
        }

        // What stays in memory for the aggregates and the gate: the counters that are not zero (they are read with GetValueOrDefault).
        var counters = full.Counters.Any(c => c.Value == 0) ? full.Counters.Where(c => c.Value != 0).ToDictionary(StringComparer.Ordinal) : full.Counters;
        // A conversation keeps its turns' figures (for the multi-turn statistics), not their words.
        var dialogue = full.Dialogue is { } d ? d with { Turns = [.. d.Turns.Select(t => t with { User = string.Empty, Output = string.Empty })], Closing = null } : null;
        return full with { Transcript = [], ToolCalls = [], Trace = [], Counters = counters, Dialogue = dialogue };
    }

    /// <summary>The whole case of index <paramref name="index"/>, or null when the spool does not hold it.</summary>
    public CaseResult? Read(int index)
    {
        (long Offset, int Length) where;
        FileStream file;
        lock (_lock)
        {
            if (!_where.TryGetValue(index, out where))
            {
                return null;
            }

            file = _file!;
        }

        var bytes = new byte[where.Length];
        RandomAccess.Read(file.SafeFileHandle, bytes, where.Offset);
        return JsonSerializer.Deserialize(bytes, Context.CaseResult);
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();
}
