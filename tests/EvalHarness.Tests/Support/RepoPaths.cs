namespace EvalHarness.Tests.Support;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Suites => Path.Combine(Root, "suites");

    public static string Cassettes => Path.Combine(Root, "cassettes");

    /// <summary>An own-agent example's folder: <c>examples/&lt;name&gt;</c>, with its suite.yaml and cassettes.</summary>
    public static string Example(string name) => Path.Combine(Root, "examples", name);

    /// <summary>Copies a folder tree, for tests that change files the repository commits.</summary>
    public static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EvalHarness.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"EvalHarness.sln not found above {AppContext.BaseDirectory}.");
    }
}
