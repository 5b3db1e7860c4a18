namespace EvalHarness.Cassettes.Format;

/// <summary>A cassette file that cannot be read: the message names the file, the position and what to do.</summary>
public sealed class CassetteFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CassetteFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner) => FilePath = path;

    /// <summary>The cassette file.</summary>
    public string FilePath { get; }
}
