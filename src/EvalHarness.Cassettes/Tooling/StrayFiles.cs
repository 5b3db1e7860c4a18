using System.Diagnostics;
using System.Globalization;

namespace EvalHarness.Cassettes.Tooling;

/// <summary>
/// Partial cassettes: the temporary files (<c>x.t1.json.&lt;pid&gt;.&lt;guid&gt;.tmp</c>) a process killed while writing
/// a cassette left behind. The cassette itself is intact: the store renames a temporary file into place only once it is whole.
/// </summary>
public static class StrayFiles
{
    /// <summary>A temporary file younger than this whose writer still runs may be a write under way, not a stray.</summary>
    private static readonly TimeSpan WriteUnderWay = TimeSpan.FromMinutes(10);

    /// <summary>The stray temporary files under <paramref name="root"/>, in path order.</summary>
    public static IReadOnlyList<string> Find(string root, DateTimeOffset now)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"{full}: no such cassette folder.");
        }

        return [.. Directory.EnumerateFiles(full, "*.json.*.tmp", SearchOption.AllDirectories)
            .Where(f => !IsBeingWritten(f, now))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Deletes the stray temporary files under <paramref name="root"/> and returns them.</summary>
    public static IReadOnlyList<string> Remove(string root, DateTimeOffset now)
    {
        var removed = new List<string>();
        foreach (var file in Find(root, now))
        {
            try
            {
                File.Delete(file);
                removed.Add(file);
            }
            catch (FileNotFoundException)
            {
                // Gone meanwhile: nothing to remove.
            }
        }

        return removed;
    }

    private static bool IsBeingWritten(string file, DateTimeOffset now)
    {
        // name.json.<pid>.<guid>.tmp: written by process <pid>.
        var parts = Path.GetFileName(file).Split('.');
        if (parts.Length < 4 || !int.TryParse(parts[^3], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || now - File.GetLastWriteTimeUtc(file) > WriteUnderWay)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }
}
