using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>
/// The folder every path a suite names must stay inside, symlinks followed: the suite's repository (the nearest folder
/// above the suite file holding <c>.git</c>), or the suite file's own folder when it is in no repository.
/// </summary>
internal sealed class SuiteRoot
{
    private const int MaxLinks = 40;

    private static readonly StringComparison PathComparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    public SuiteRoot(string suiteFile, SuiteLoadOptions options)
    {
        BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(suiteFile))!;
        var real = RealPath(BaseDirectory);
        var repository = Repository(real);
        InRepository = repository is not null;
        Root = repository ?? real;
        AllowOutside = options.AllowOutside;
    }

    /// <summary>The suite file's folder, as given: relative paths are read from it.</summary>
    public string BaseDirectory { get; }

    /// <summary>The folder paths must resolve inside, symlinks followed.</summary>
    public string Root { get; }

    /// <summary>Whether <see cref="Root"/> is a repository rather than the suite's folder.</summary>
    public bool InRepository { get; }

    public bool AllowOutside { get; }

    /// <summary>A path the suite names, relative to its folder, as a full path; an error at <paramref name="node"/> when it leads outside the root.</summary>
    public string Resolve(YamlNodes y, YamlNode node, string named, string what)
    {
        var full = Path.GetFullPath(Path.Combine(BaseDirectory, named));
        return Check(full) is { } outside ? throw y.Error(node, Refusal(what, named, outside)) : full;
    }

    /// <summary>Null when <paramref name="full"/> may be used; else where it really leads (outside the root).</summary>
    public string? Check(string full)
    {
        if (AllowOutside)
        {
            return null;
        }

        var real = RealPath(full);
        return Inside(real, Root) ? null : real;
    }

    /// <summary>The message for a path that leads outside the root.</summary>
    public string Refusal(string what, string named, string real) =>
        $"{what} '{YamlNodes.Excerpt(named)}' leads outside {(InRepository ? "the suite's repository" : "the suite's folder")} ({Root}){(real == Path.GetFullPath(Path.Combine(BaseDirectory, named)) ? string.Empty : $", to {real}")}; "
        + "a suite reads and writes only inside it. Move the file in, or pass --allow-outside to allow it (EvaluationOptions.AllowOutside, or SuiteLoadOptions.AllowOutside, in code).";

    private static bool Inside(string path, string root) =>
        path.Equals(root, PathComparison)
        || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, PathComparison);

    /// <summary>The nearest folder at or above <paramref name="folder"/> holding <c>.git</c> (a folder, or a file in a worktree).</summary>
    private static string? Repository(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            var git = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>
    /// The path with every symlink along it followed (what <c>realpath</c> does); the parts that do not exist yet are kept
    /// as they are. A loop of links, past <see cref="MaxLinks"/>, leaves the rest unresolved.
    /// </summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        for (var links = 0; links < MaxLinks; links++)
        {
            var root = Path.GetPathRoot(full)!;
            var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var current = root;
            var followed = false;
            for (var i = 0; i < parts.Length; i++)
            {
                var next = Path.Combine(current, parts[i]);
                string? target;
                try
                {
                    target = new FileInfo(next).LinkTarget;
                }
                catch (IOException)
                {
                    target = null;
                }
                catch (UnauthorizedAccessException)
                {
                    target = null;
                }

                if (target is not null)
                {
                    full = Path.GetFullPath(Path.Combine([Path.GetFullPath(target, current), .. parts[(i + 1)..]]));
                    followed = true;
                    break;
                }

                current = next;
            }

            if (!followed)
            {
                return current;
            }
        }

        return full;
    }
}
