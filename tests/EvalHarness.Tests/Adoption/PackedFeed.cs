using System.Globalization;
using System.Xml.Linq;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Adoption;

/// <summary>
/// The repository's packages, packed as a release packs them: the release workflow's own pack step
/// (<c>.github/workflows/release.yml</c>) run in a copy of the sources outside the repository, whose <c>out/</c> folder is
/// then a local folder feed. Each test run packs a version of its own (<c>0.1.0-adoption.&lt;time&gt;</c>), so NuGet's
/// package cache never serves an older build, and removes it from that cache afterwards.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    private static readonly string[] Packages = ["evalharness.abstractions", "evalharness.agents", "evalharness.cassettes", "evalharness.core", "evalharness.reports", "evalharness.xunit", "evalharness.cli", "evalharness.cli.any", $"evalharness.cli.{Rid}"];

    /// <summary>Everything the adoption tests write: the copy of the sources, the feed and each user's folder.</summary>
    internal TempDirectory Temp { get; } = new();

    /// <summary>The copy of the sources the packages are packed from.</summary>
    public string Sources => Temp.Combine("sources");

    /// <summary>The folder feed: where the workflow's pack step writes (<c>out/</c>).</summary>
    public string Feed => Path.Combine(Sources, "out");

    /// <summary>The version packed.</summary>
    public string Version { get; } = $"{RepoVersion()}-adoption.{DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}";

    /// <summary>This machine's platform, e.g. <c>linux-x64</c>: the tool package installed here is compiled for it.</summary>
    public static string Rid => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    /// <summary>The release workflow's pack step: the command run.</summary>
    public string PackCommand { get; } = ReleaseWorkflow.Load().Named("Pack").Run ?? throw new InvalidOperationException("The release workflow's Pack step runs nothing.");

    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public string PackOutput { get; private set; } = string.Empty;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        // A copy of what a release is built from: the build and package settings, the licence and changelog, and src/.
        var sources = Sources;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", "LICENSE", "CHANGELOG.md", "README.md" })
        {
            Directory.CreateDirectory(sources);
            File.Copy(Path.Combine(RepoPaths.Root, file), Path.Combine(sources, file));
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepoPaths.Root, file);
            if (relative.Split(Path.DirectorySeparatorChar) is var parts && (parts.Contains("bin") || parts.Contains("obj")))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(sources, relative))!);
            File.Copy(file, Path.Combine(sources, relative));
        }

        // src/<project>/<project>.csproj: not the sample agent's project among evalh init's templates.
        var projects = Directory.GetDirectories(Path.Combine(sources, "src")).SelectMany(d => Directory.GetFiles(d, "*.csproj")).Order(StringComparer.Ordinal);
        File.WriteAllText(Path.Combine(sources, "EvalHarness.slnx"),
            new XElement("Solution", projects.Select(p => new XElement("Project", new XAttribute("Path", Path.GetRelativePath(sources, p).Replace('\\', '/'))))).ToString());

        // The workflow's pack step as the runner runs it (bash -e, VERSION from the tag), for this machine's platform only:
        // a release packs the tool for six, each compiled ahead of time, beside the package for any other platform.
        // MSBuild reads ToolRids from the environment as it would from -p:ToolRids.
        var pack = await Shell.RunAsync(sources, "bash", ["-e", "-c", PackCommand], new Dictionary<string, string?>
        {
            ["VERSION"] = Version,
            ["ToolRids"] = Rid,
            ["CI"] = "true",
        }, timeout: TimeSpan.FromMinutes(10));
        PackOutput = pack.Output;
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"The release workflow's pack step failed: {pack}");
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Packages)
        {
            var folder = Path.Combine(cache, package, Version.ToLowerInvariant());
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        Temp.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The version a package of the repository's own is pinned to (Directory.Packages.props).</summary>
    public static string PinnedVersion(string package)
    {
        var props = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props"));
        var version = props.Descendants("PackageVersion").Single(p => (string?)p.Attribute("Include") == package).Attribute("Version")!.Value;
        return version.StartsWith("$(", StringComparison.Ordinal) ? props.Descendants(version[2..^1]).Single().Value : version;
    }

    private static string RepoVersion() =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
}
