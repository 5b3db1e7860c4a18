using System.Security.Cryptography;
using System.Text;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports;

/// <summary>
/// The key a suite's baseline and history are filed under (<see cref="RunResult.SuiteKey"/>): the suite file's path
/// relative to the folder that holds the reports folder. Committed with the reports, it means the same on every clone.
/// </summary>
public static class SuiteKeys
{
    /// <summary>
    /// The key of <paramref name="suiteFile"/> (relative to the current folder, or absolute) for the reports folder
    /// <paramref name="reportsDirectory"/>: <c>suites/support</c> for <c>suites/support.yaml</c> beside <c>reports/</c>.
    /// A suite outside that folder is keyed <c>outside/&lt;name&gt;-&lt;hash of its full path&gt;</c>, so it cannot
    /// climb out of the reports folder nor share a key with another.
    /// </summary>
    public static string For(string suiteFile, string reportsDirectory)
    {
        ArgumentNullException.ThrowIfNull(suiteFile);
        var reports = Path.GetFullPath(reportsDirectory);
        var project = Path.GetDirectoryName(reports.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)) ?? reports;
        var full = Path.GetFullPath(suiteFile);
        var relative = Path.GetRelativePath(project, full).Replace('\\', '/');
        if (relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..8];
            return $"outside/{Path.GetFileNameWithoutExtension(full)}-{hash}";
        }

        var extension = Path.GetExtension(relative);
        return extension.Length > 0 ? relative[..^extension.Length] : relative;
    }

    /// <summary>The run's key: the one it carries, else worked out from its suite file (as seen from the current folder).</summary>
    public static string Of(RunResult run, string reportsDirectory)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.SuiteKey ?? For(run.SuiteFile, reportsDirectory);
    }

    /// <summary>The run with its key set, so the results file written from it carries the key.</summary>
    public static RunResult Keyed(RunResult run, string reportsDirectory)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.SuiteKey is null ? run with { SuiteKey = For(run.SuiteFile, reportsDirectory) } : run;
    }
}
