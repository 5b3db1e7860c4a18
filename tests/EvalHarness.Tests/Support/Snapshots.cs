using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Snapshooter;
using Snapshooter.Xunit3;

namespace EvalHarness.Tests.Support;

/// <summary>
/// Snapshooter's <c>Snapshot.Match</c>, with the snapshot's place named rather than guessed from the stack:
/// <c>__snapshots__/&lt;TestClass&gt;.&lt;Test&gt;.snap</c> beside the test's source file, wherever the repository is cloned.
/// </summary>
internal static class Snapshots
{
    /// <summary>Matches <paramref name="current"/> against its committed snapshot.</summary>
    /// <remarks>
    /// Snapshooter writes a missing snapshot and passes. Under <c>CI=true</c> a missing snapshot fails instead: CI checks
    /// the committed snapshots and never makes new ones. To update a snapshot, delete its .snap file and run the test
    /// locally, or copy the file Snapshooter writes to <c>__snapshots__/__mismatch__/</c> on a difference over it.
    /// </remarks>
    public static void Match(object current, Func<MatchOptions, MatchOptions>? options = null, [CallerMemberName] string test = "", [CallerFilePath] string source = "")
    {
        // The source path may be mapped (deterministic builds); only its last folder is used, under the repository the tests run from.
        var folder = Path.Combine(RepoPaths.Root, "tests", "EvalHarness.Tests", Path.GetFileName(Path.GetDirectoryName(source))!);
        var name = new SnapshotFullName($"{Path.GetFileNameWithoutExtension(source)}.{test}.snap", folder);
        var file = Path.Combine(folder, "__snapshots__", name.Filename);
        if (IsCi && !File.Exists(file))
        {
            Assert.Fail($"No snapshot at {file}: CI only compares with committed snapshots. Run the test locally (without CI=true) to write it, check it, and commit it.");
        }

        Snapshot.Match(current, name, options ?? (o => o));
    }

    /// <summary>
    /// Text with what changes from run to run replaced by placeholders: each value by its placeholder (longest first, so
    /// a folder goes before the run folder inside it), then the commit and branch a report's footer names, when it names them.
    /// </summary>
    public static string Scrub(string text, params IEnumerable<(string Value, string Placeholder)> replacements)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (value, placeholder) in replacements.OrderByDescending(r => r.Value.Length))
        {
            text = text.Replace(value, placeholder, StringComparison.Ordinal);
        }

        return Regex.Replace(text, @" · commit `[0-9a-f]+`(?: \([^)]*\))?", " · commit {git}");
    }

    /// <summary>JSON as Snapshooter matches it, field by field, with strings that look like dates kept as they were written.</summary>
    public static JToken Json(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        return JToken.ReadFrom(reader);
    }

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
