namespace EvalHarness.Core.UnderTest;

/// <summary>
/// What a service printed, standard output and standard error interleaved line by line as they arrive, keeping only
/// the newest lines once it grows past a size a report can show: a service runs for a whole run and may log a lot.
/// </summary>
internal sealed class ServiceLog
{
    /// <summary>The most characters kept.</summary>
    private const int MaxChars = 64 * 1024;

    /// <summary>How many of the last lines on standard error are kept apart, for an error message.</summary>
    private const int KeptErrors = 5;

    private readonly Queue<string> _lines = new();
    private readonly Queue<string> _errors = new();
    private int _chars;
    private int _dropped;

    public void Add(string line, bool isError = false)
    {
        lock (_lines)
        {
            if (isError && line.Trim().Length > 0)
            {
                _errors.Enqueue(line);
                if (_errors.Count > KeptErrors)
                {
                    _errors.Dequeue();
                }
            }

            _lines.Enqueue(line);
            _chars += line.Length + 1;
            while (_chars > MaxChars && _lines.Count > 1)
            {
                _chars -= _lines.Dequeue().Length + 1;
                _dropped++;
            }
        }
    }

    /// <summary>The whole log kept, with a note of how many earlier lines were left out.</summary>
    public string Text
    {
        get
        {
            lock (_lines)
            {
                var text = string.Join(Environment.NewLine, _lines);
                return _dropped == 0 ? text : $"… ({_dropped:N0} earlier lines left out){Environment.NewLine}{text}";
            }
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> lines that are not blank, for an error message, and the last lines written to
    /// standard error that are not among them: the two streams are read apart, so an error written just before a burst
    /// of output may be logged ahead of it, and the error is what the message must not leave out.
    /// </summary>
    public (IReadOnlyList<string> Last, IReadOnlyList<string> Errors) Last(int count)
    {
        lock (_lines)
        {
            var last = _lines.Where(l => l.Trim().Length > 0).TakeLast(count).ToList();
            var shown = new HashSet<string>(last, StringComparer.Ordinal);
            return (last, _errors.Where(e => !shown.Contains(e)).ToList());
        }
    }

    /// <summary>Copies <paramref name="reader"/> into the log line by line until the stream ends.</summary>
    public async Task PumpAsync(StreamReader reader, bool isError)
    {
        try
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                Add(line, isError);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process.
        }
    }
}
