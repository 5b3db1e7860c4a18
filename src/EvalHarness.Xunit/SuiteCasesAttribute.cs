using System.Reflection;
using EvalHarness.Core.Suites;
using Xunit;
using Xunit.Sdk;
using Xunit.v3;
using EvalHarness.Core.Running;

namespace EvalHarness.Xunit;

/// <summary>
/// Theory data: one test case per scenario × variant × trial of a suite, named by its cassette id. The test
/// method takes <c>(string suite, string cassettes, string caseId)</c> and calls <see cref="SuiteReplay.AssertPassesAsync(string, string, string, EvalHarness.Core.UnderTest.OwnAgent)"/>.
/// </summary>
/// <example>
/// <code>
/// [Theory, SuiteCases("suites/support.yaml")]
/// public Task Support(string suite, string cassettes, string caseId) =&gt; SuiteReplay.AssertPassesAsync(suite, cassettes, caseId);
/// </code>
/// </example>
/// <param name="suite">The suite file: absolute, or relative to the current folder or any folder above the test assembly.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class SuiteCasesAttribute(string suite) : DataAttribute
{
    /// <summary>The suite file as given.</summary>
    public string Suite { get; } = suite;

    /// <summary>The cassette folder, found the same way as the suite. Default: the suite's <c>cassettes.dir</c>, else <c>cassettes</c>.</summary>
    public string? Cassettes { get; set; }

    /// <inheritdoc />
    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker)
    {
        var (suiteFile, root) = Find(Suite, file: true);
        var loaded = SuiteLoader.Load(suiteFile);

        // A row names the suite and cassettes as written (or relative to where the suite was found), never by a path of
        // this machine's, so a test's id is the same on every clone; SuiteReplay finds them again the same way.
        var cassettes = Cassettes ?? DefaultCassettes(loaded, root);
        Locate(cassettes, file: false);
        IReadOnlyCollection<ITheoryDataRow> rows = [.. EvalCase.AllOf(loaded).Select(c =>
            new TheoryDataRow<string, string, string>(Suite, cassettes, c.CassetteId)
            {
                TestDisplayName = c.CassetteId,
                Traits = new Dictionary<string, HashSet<string>>
                {
                    ["suite"] = [loaded.Name],
                    ["variant"] = [c.Variant.Name],
                    ["tag"] = [.. c.Scenario.Tags],
                },
            })];
        return new(rows);
    }

    /// <inheritdoc />
    public override bool SupportsDiscoveryEnumeration() => true;

    /// <summary>The suite's own cassettes.dir, relative to where the suite was found, else <c>cassettes</c>.</summary>
    internal static string DefaultCassettes(Suite suite, string root) =>
        suite.Cassettes.Directory is { } own ? Path.GetRelativePath(root, own) : "cassettes";

    /// <summary>Finds a path as given, or relative to a folder above the test assembly (the repository root).</summary>
    internal static string Locate(string path, bool file) => Find(path, file).Full;

    /// <summary>The full path of <paramref name="path"/>, and the folder it was found relative to.</summary>
    internal static (string Full, string Root) Find(string path, bool file)
    {
        bool Exists(string p) => file ? File.Exists(p) : Directory.Exists(p);
        if (Path.IsPathRooted(path) || Exists(path))
        {
            return (Path.GetFullPath(path), Environment.CurrentDirectory);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (Exists(candidate))
            {
                return (candidate, dir.FullName);
            }
        }

        throw new FileNotFoundException($"{path}: not found in {Environment.CurrentDirectory} or any folder above {AppContext.BaseDirectory}.", path);
    }
}
