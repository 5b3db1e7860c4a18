namespace EvalHarness.Core.Results;

/// <summary>The commit and branch a run was made from, so a report and the history can say which change they measured.</summary>
/// <param name="Commit">The full commit id.</param>
/// <param name="Branch">The branch, or null for a detached checkout.</param>
public sealed record GitInfo(string Commit, string? Branch)
{
    /// <summary>
    /// Finds the commit and branch: from the CI system's variables when they are set (GitHub Actions, GitLab CI, Azure
    /// Pipelines), else by reading the <c>.git</c> folder at or above <paramref name="directory"/> (no git process is started).
    /// Null when neither is there.
    /// </summary>
    public static GitInfo? Probe(string directory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Env(string name) => environment(name) is { Length: > 0 } value ? value : null;

        if (Env("GITHUB_SHA") is { } sha)
        {
            // GITHUB_HEAD_REF is the source branch of a pull request; GITHUB_REF_NAME there would be "<n>/merge".
            return new GitInfo(sha, Env("GITHUB_HEAD_REF") ?? Env("GITHUB_REF_NAME"));
        }

        if (Env("CI_COMMIT_SHA") is { } gitlab)
        {
            return new GitInfo(gitlab, Env("CI_COMMIT_REF_NAME"));
        }

        if (Env("BUILD_SOURCEVERSION") is { } azure)
        {
            return new GitInfo(azure, Env("BUILD_SOURCEBRANCHNAME"));
        }

        try
        {
            return FromGitFolder(Path.GetFullPath(directory));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static GitInfo? FromGitFolder(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var dotGit = Path.Combine(dir.FullName, ".git");
            var gitDir = Directory.Exists(dotGit) ? dotGit
                : File.Exists(dotGit) && File.ReadAllText(dotGit).Trim() is var link && link.StartsWith("gitdir:", StringComparison.Ordinal)
                    ? Path.GetFullPath(link["gitdir:".Length..].Trim(), dir.FullName)
                    : null;
            if (gitDir is not null)
            {
                return Read(gitDir);
            }
        }

        return null;
    }

    private static GitInfo? Read(string gitDir)
    {
        var headFile = Path.Combine(gitDir, "HEAD");
        if (!File.Exists(headFile))
        {
            return null;
        }

        var head = File.ReadAllText(headFile).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal))
        {
            return head.Length > 0 ? new GitInfo(head, null) : null;
        }

        // A worktree keeps its HEAD in its own folder and the refs in the common one.
        var commonFile = Path.Combine(gitDir, "commondir");
        var common = File.Exists(commonFile) ? Path.GetFullPath(File.ReadAllText(commonFile).Trim(), gitDir) : gitDir;
        var reference = head["ref:".Length..].Trim();
        var branch = reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..] : reference;
        var commit = ReadRef(gitDir, reference) ?? ReadRef(common, reference);
        return commit is null ? null : new GitInfo(commit, branch);
    }

    private static string? ReadRef(string gitDir, string reference)
    {
        var loose = Path.Combine(gitDir, reference.Replace('/', Path.DirectorySeparatorChar));
        if (File.Exists(loose))
        {
            return File.ReadAllText(loose).Trim();
        }

        var packed = Path.Combine(gitDir, "packed-refs");
        return File.Exists(packed)
            ? File.ReadLines(packed).Select(l => l.Split(' ', 2)).FirstOrDefault(p => p.Length == 2 && p[1] == reference)?[0]
            : null;
    }
}
