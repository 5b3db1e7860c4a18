using System.Xml.Linq;
using EvalHarness.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Tests.Adoption;

/// <summary>
/// <c>.github/workflows/release.yml</c>: a version tag builds, tests, packs, pushes to nuget.org and makes a GitHub
/// release from CHANGELOG.md. Its shell steps run here as the runner runs them; its pack step is run by the adoption
/// tests' <see cref="PackedFeed"/>, which installs what it packs.
/// </summary>
public sealed class ReleaseWorkflowTests : IDisposable
{
    private readonly ReleaseWorkflow workflow = ReleaseWorkflow.Load();
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Trigger_IsAPushedVersionTag_Only()
    {
        var on = (YamlMappingNode)workflow.Root["on"];

        var push = (YamlMappingNode)Assert.Single(on.Children, kv => ((YamlScalarNode)kv.Key).Value == "push").Value;
        Assert.Single(on.Children);
        Assert.Equal(["v*"], ((YamlSequenceNode)push["tags"]).Children.Select(t => ((YamlScalarNode)t).Value));
        Assert.Single(push.Children);
        Assert.Equal("write", ((YamlScalarNode)((YamlMappingNode)workflow.Root["permissions"])["contents"]).Value);
    }

    [Fact]
    public void Steps_NotesBuildTestPackPushRelease_InThatOrder()
    {
        string[] order = ["Version", "Release notes", "Install what the tests need", "Build", "Test", "Pack", "Push to nuget.org", "GitHub release"];

        var names = workflow.Steps.Select(s => s.Name).OfType<string>().ToList();

        Assert.Equal(order, names.Where(order.Contains));
        Assert.Equal("actions/checkout@v4", workflow.Steps[0].Uses);
        Assert.Contains(workflow.Steps.Take(names.IndexOf("Build")), s => s.Uses?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true);
        Assert.Equal("dotnet build", workflow.Named("Build").Run);
        Assert.Equal("dotnet test --no-build", workflow.Named("Test").Run);
        Assert.Contains("fonts-dejavu-core", workflow.Named("Install what the tests need").Run, StringComparison.Ordinal);
        Assert.Equal("/usr/bin/google-chrome", workflow.Named("Test").Env[Support.BrowserFixture.ChromiumVariable]);
        Assert.Equal("dotnet pack -c Release -o out -p:Version=\"$VERSION\"", workflow.Named("Pack").Run);
        var release = workflow.Named("GitHub release");
        Assert.Contains("gh release create \"$GITHUB_REF_NAME\" --verify-tag --title \"$VERSION\" --notes-file release-notes.md", release.Run, StringComparison.Ordinal);
        Assert.Equal("${{ github.token }}", release.Env["GH_TOKEN"]);
    }

    [Fact]
    public void Push_SendsWhatThePackStepWrote_ToNuGetOrg_WithTheApiKeySecret()
    {
        var push = workflow.Named("Push to nuget.org");

        Assert.Equal(
            "dotnet nuget push \"out/*.nupkg\" --api-key \"$NUGET_API_KEY\" --source https://api.nuget.org/v3/index.json --skip-duplicate",
            push.Run);
        Assert.Equal(new Dictionary<string, string> { ["NUGET_API_KEY"] = "${{ secrets.NUGET_API_KEY }}" }, push.Env);

        // The key is given to that step alone, never written into a command line or to another step.
        Assert.DoesNotContain("secrets.", File.ReadAllText(ReleaseWorkflow.File).Replace("${{ secrets.NUGET_API_KEY }}", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.All(workflow.Steps.Where(s => s != push), s => Assert.DoesNotContain("NUGET_API_KEY", s.Run ?? string.Empty, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v0.2.0", "0.2.0")]
    [InlineData("v1.0.0-rc.1", "1.0.0-rc.1")]
    public async Task Version_IsTheTagWithoutItsV(string tag, string version)
    {
        var env = temp.Write("github-env", string.Empty);

        var result = await Shell.RunAsync(temp.Path, "bash", ["-e", "-c", workflow.Named("Version").Run!], new Dictionary<string, string?>
        {
            ["GITHUB_REF_NAME"] = tag,
            ["GITHUB_ENV"] = env,
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([$"VERSION={version}"], File.ReadAllLines(env));
    }

    [Fact]
    public async Task ReleaseNotes_ForTheRepositorysVersion_AreItsChangelogSection()
    {
        var version = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        File.Copy(Path.Combine(RepoPaths.Root, "CHANGELOG.md"), temp.Combine("CHANGELOG.md"));

        var result = await RunReleaseNotesAsync(version);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Section(File.ReadAllLines(temp.Combine("CHANGELOG.md")), version), File.ReadAllText(temp.Combine("release-notes.md")).TrimEnd());
    }

    [Fact]
    public async Task ReleaseNotes_TakeOnlyTheTagsSection_NotAPrereleaseOrTheNextOne()
    {
        temp.Write("CHANGELOG.md", """
            # Changelog

            ## [Unreleased]

            - Not yet.

            ## [1.0.0-rc.1] - 2027-01-02

            - The candidate.

            ## [1.0.0] - 2027-01-10

            ### Added
            - The release.

            ## [0.9.0] - 2026-12-01

            - The one before.
            """);

        var result = await RunReleaseNotesAsync("1.0.0");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("### Added\n- The release.\n\n", File.ReadAllText(temp.Combine("release-notes.md")).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("0.99.0")]
    [InlineData("0.1")] // a prefix of a version that has a section is not that version
    public async Task ReleaseNotes_ATagWithoutAChangelogSection_FailsTheRelease(string version)
    {
        File.Copy(Path.Combine(RepoPaths.Root, "CHANGELOG.md"), temp.Combine("CHANGELOG.md"));

        var result = await RunReleaseNotesAsync(version);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"::error::CHANGELOG.md has no section for {version}: add '## [{version}] - <date>'", result.Output, StringComparison.Ordinal);
    }

    /// <summary>The workflow's release-notes step, run in the scratch folder with <c>VERSION</c> set as its Version step sets it.</summary>
    private Task<Shell.Result> RunReleaseNotesAsync(string version) =>
        Shell.RunAsync(temp.Path, "bash", ["-e", "-c", workflow.Named("Release notes").Run!], new Dictionary<string, string?> { ["VERSION"] = version });

    /// <summary>A version's section of a Keep a Changelog file: the lines between its heading and the next, trimmed.</summary>
    private static string Section(string[] lines, string version)
    {
        var start = Array.FindIndex(lines, l => l.StartsWith($"## [{version}]", StringComparison.Ordinal));
        Assert.True(start >= 0, $"CHANGELOG.md has no section for {version}, the version in Directory.Build.props");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        return string.Join('\n', lines[(start + 1)..(end < 0 ? lines.Length : end)]).Trim();
    }
}
