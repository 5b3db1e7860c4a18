namespace EvalHarness.Core.Suites;

/// <summary>A suite (or a file it uses) that cannot be loaded. The message reads <c>file:line:column: what and what to do</c>.</summary>
public sealed class SuiteException : Exception
{
    /// <summary>Creates the exception for a place in a file.</summary>
    public SuiteException(string file, int line, int column, string message)
        : base(line > 0 ? $"{file}:{line}:{column}: {message}" : $"{file}: {message}")
    {
        File = file;
        Line = line;
        Column = column;
        Detail = message;
    }

    /// <summary>The file, as the user named it.</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0 when the problem is the whole file.</summary>
    public int Line { get; }

    /// <summary>The 1-based column.</summary>
    public int Column { get; }

    /// <summary>The message without the location.</summary>
    public string Detail { get; }
}
