namespace EvalHarness.BuiltIn;

/// <summary>A case's sandboxed files: seeded from the fixtures, read and written by the agent, never the real disk.</summary>
public sealed class Workspace
{
    private readonly Dictionary<string, string> _files;

    /// <summary>Creates a workspace holding copies of <paramref name="seed"/>.</summary>
    public Workspace(IReadOnlyDictionary<string, string> seed) => _files = new Dictionary<string, string>(seed, StringComparer.Ordinal);

    /// <summary>The files now, by path.</summary>
    public IReadOnlyDictionary<string, string> Files => _files;

    /// <summary>A path as the workspace keys it; a path leaving the workspace is refused.</summary>
    public static string Normalise(string path)
    {
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        return parts.Count == 0 || parts.Any(p => p == "..") || Path.IsPathRooted(path)
            ? throw new InvalidOperationException($"'{path}' is outside the workspace.")
            : string.Join('/', parts);
    }

    /// <summary>Reads a file.</summary>
    public string Read(string path) =>
        _files.TryGetValue(Normalise(path), out var text) ? text : throw new InvalidOperationException($"There is no file '{path}'. Files: {string.Join(", ", _files.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>Writes (creates or replaces) a file.</summary>
    public string Write(string path, string content)
    {
        _files[Normalise(path)] = content;
        return $"Wrote {Normalise(path)} ({content.Length} characters).";
    }
}
