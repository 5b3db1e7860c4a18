namespace EvalHarness.Core.Suites;

/// <summary>
/// A suite (or a file it uses) that cannot be loaded. The message reads <c>file:line:column: what and what to do</c>;
/// when loading found several problems, one such line for each (see <see cref="Errors"/>).
/// </summary>
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
        Errors = [this];
    }

    private SuiteException(IReadOnlyList<SuiteException> errors, int more)
        : base(string.Join('\n', errors.Select(e => e.Message)) + (more > 0 ? $"\n{MoreLine(more)}" : string.Empty))
    {
        File = errors[0].File;
        Line = errors[0].Line;
        Column = errors[0].Column;
        Detail = errors[0].Detail;
        Errors = errors;
        More = more;
    }

    /// <summary>The file, as the user named it (of the first error, when there are several).</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0 when the problem is the whole file.</summary>
    public int Line { get; }

    /// <summary>The 1-based column.</summary>
    public int Column { get; }

    /// <summary>The message without the location.</summary>
    public string Detail { get; }

    /// <summary>Each problem found, file by file from the top (this exception alone when there is one); at most twenty.</summary>
    public IReadOnlyList<SuiteException> Errors { get; }

    /// <summary>How many problems were found beyond <see cref="Errors"/>.</summary>
    public int More { get; }

    /// <summary>The line that ends a list cut short.</summary>
    public static string MoreLine(int more) => $"and {more} more error{(more == 1 ? string.Empty : "s")}; fix these and load the suite again.";

    /// <summary>One exception for the errors a load found.</summary>
    internal static SuiteException Of(IReadOnlyList<SuiteException> errors, int more)
    {
        if (errors.Count == 1 && more == 0)
        {
            return errors[0];
        }

        // In reading order: file by file as they were met, each from its top.
        var files = errors.Select(e => e.File).Distinct().ToList();
        return new SuiteException([.. errors.OrderBy(e => files.IndexOf(e.File)).ThenBy(e => e.Line).ThenBy(e => e.Column)], more);
    }
}
