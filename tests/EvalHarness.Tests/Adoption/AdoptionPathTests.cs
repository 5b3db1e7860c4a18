using System.Text.RegularExpressions;
using EvalHarness.Tests.Cli;

namespace EvalHarness.Tests.Adoption;

/// <summary>
/// A team adopting EvalHarness in a repository of its own, outside this one: the packages from a local folder feed, the
/// tool installed into a tool path, <c>evalh init</c> in an empty folder, record, run, bless, the scaffolded workflow's
/// own commands, a deliberate regression the gate catches, a C# agent, and a test project on the xunit package.
/// </summary>
public sealed partial class AdoptionPathTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public void Pack_TheReleaseWorkflowsStep_WritesTheToolAndEveryLibraryAtTheTagsVersion_WithoutWarnings()
    {
        // PackedFeed ran release.yml's pack step with VERSION set as its Version step sets it from a tag.
        Assert.Equal(
            ["EvalHarness.Abstractions", "EvalHarness.Agents", "EvalHarness.BuiltIn", "EvalHarness.Cassettes", "EvalHarness.Cli", "EvalHarness.Cli.any", $"EvalHarness.Cli.{PackedFeed.Rid}", "EvalHarness.Core", "EvalHarness.Reports", "EvalHarness.Xunit"],
            Directory.GetFiles(feed.Feed, "*.nupkg").Select(f => Path.GetFileName(f).Replace($".{feed.Version}.nupkg", string.Empty, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotMatch(@"(?i)\bwarning\b", feed.PackOutput);
    }

    [Fact]
    public void Pack_Abstractions_DependsOnMicrosoftExtensionsAIAbstractionsAndEvaluationAlone()
    {
        // What a team's agent project downloads to implement IAgentUnderTest: the contracts, not the engine, SDKs or servers.
        using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed.Feed, $"EvalHarness.Abstractions.{feed.Version}.nupkg"));
        using var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var document = System.Xml.Linq.XDocument.Load(nuspec);

        var dependencies = document.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id")).Distinct().ToList();

        // Evaluation is the assertion plug-ins' library; it depends on Microsoft.Extensions.AI.Abstractions alone.
        Assert.Equal(["Microsoft.Extensions.AI.Abstractions", "Microsoft.Extensions.AI.Evaluation"], dependencies.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tool_InAnEmptyFolder_InitRecordRunBless_TheWorkflowsCommands_ATestProject_AndARegressionThatFailsBothGates()
    {
        // Install and scaffold, as EVALS.md and the README say.
        var (repo, evalh) = await InstallIntoEmptyFolderAsync("team-repo");
        var init = await Ok(repo, evalh, "init");
        Assert.Contains("created  evals/support.yaml", init.Output, StringComparison.Ordinal);
        Assert.Contains("created  .github/workflows/evals.yml", init.Output, StringComparison.Ordinal);

        await Ok(repo, evalh, "record", "evals/support.yaml", "--upstream", "scripted");
        var run = await Ok(repo, evalh, "run", "evals/support.yaml");
        Assert.Contains("2/2 passed", run.Output, StringComparison.Ordinal);
        var report = Regex.Match(run.Output, @"Report: (\S+report\.html)").Groups[1].Value;
        Assert.StartsWith(Path.Combine(repo, "reports", "runs"), report, StringComparison.Ordinal);
        Assert.True(new FileInfo(report).Length > 10_000);
        await Ok(repo, evalh, "baseline", "bless", "latest");
        Assert.True(File.Exists(Path.Combine(repo, "reports", "baselines", "evals", "support.json")));

        // The scaffolded workflow's steps, run as GitHub Actions would run them, with the packages where EVALS.md says to put
        // them until EvalHarness is on nuget.org: a committed folder that its nuget.config, at the repository's root, names.
        var packages = Path.Combine(repo, "evals", "packages");
        Directory.CreateDirectory(packages);
        foreach (var package in Directory.GetFiles(feed.Feed, "*.nupkg"))
        {
            File.Copy(package, Path.Combine(packages, Path.GetFileName(package)));
        }

        var nugetConfig = NuGetConfigXml().Match(File.ReadAllText(Path.Combine(repo, "EVALS.md")));
        Assert.True(nugetConfig.Success, "EVALS.md shows no nuget.config");
        File.WriteAllText(Path.Combine(repo, "nuget.config"), nugetConfig.Groups[1].Value);
        var summary = await RunWorkflowAsync(repo);
        Assert.Contains("Gate passed", summary, StringComparison.Ordinal);

        // A second suite for the team's own C# agent, built against the EvalHarness.Abstractions package.
        var dotnetInit = await Ok(repo, evalh, "init", "--agent", "dotnet", "--name", "desk");
        Assert.Contains("kept     .github/workflows/evals.yml", dotnetInit.Output, StringComparison.Ordinal);
        await Ok(repo, "dotnet", "build", "evals/agent");
        await Ok(repo, evalh, "record", "evals/desk.yaml", "--upstream", "scripted");
        Assert.Contains("2/2 passed", (await Ok(repo, evalh, "run", "evals/desk.yaml")).Output, StringComparison.Ordinal);

        // A test project that references the xunit package alone (besides xunit) replays both suites with dotnet test and
        // runs the release gate against the baseline blessed above.
        WriteTestProject(Path.Combine(repo, "tests", "Evals.Tests"));
        var test = await Ok(repo, "dotnet", "test", "tests/Evals.Tests");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+5,", test.Output);

        // A deliberate regression: the model now promises to look into it instead of refunding. Re-recorded, the gate says
        // no, in evalh run and in the test project's gate test, which fails with the gate's reasons: each rule not met with
        // its figures against the baseline, the case that regressed with its failed assertions, and what to do.
        var script = Path.Combine(repo, "evals", "scripts", "support.yaml");
        var good = File.ReadAllText(script);
        File.WriteAllText(script, RefundTurns().Replace(good, "    - text: \"Sorry to hear that. Send the mug set back and we will look into order A100.\"\n"));
        Assert.Equal(1, (await Shell.RunAsync(repo, evalh, ["record", "evals/support.yaml", "--upstream", "scripted"], timeout: Long)).ExitCode);
        var gated = await Shell.RunAsync(repo, evalh, ["run", "evals/support.yaml", "--policy", "evals/gate.yaml"], timeout: Long);
        Assert.True(gated.ExitCode == 1, gated.ToString());
        Assert.Contains("Gate failed", gated.Output, StringComparison.Ordinal);
        Assert.Contains("refund-broken-item", gated.Output, StringComparison.Ordinal);

        string[] gateTest = ["test", "tests/Evals.Tests", "--no-build", "--filter", "FullyQualifiedName~SupportPassesTheGate"];
        var failed = await Shell.RunAsync(repo, "dotnet", gateTest, timeout: Long);
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Matches(@"Failed!\s+-\s+Failed:\s+1,\s+Passed:\s+0,", failed.Output);
        Assert.Contains("Failed EvalsTests.SupportPassesTheGate", failed.Output, StringComparison.Ordinal);
        Assert.Matches(@"evals/support\.yaml: Gate failed: \d+ of \d+ rule\(s\) not met, against the baseline \d{8}-\d{6}-support-[0-9a-f]{6}; policy ", failed.Output);
        Assert.Contains("- critical_must_pass: 1 failed, needs 0 failed. Failed: support/default/refund-broken-item/t1.", failed.Output, StringComparison.Ordinal);
        Assert.Contains("- max_success_drop_points: 50 pts, needs ≤ 5 pts (α = 0.05). 100% → 50% over 2 paired case(s)", failed.Output, StringComparison.Ordinal);
        Assert.Matches(@"- support/default/refund-broken-item/t1 \(critical; passed in the baseline, fails now\): .*output\.contains: The output does not contain ""refund""", failed.Output);
        Assert.Contains("What to do: if the change made the agent worse, fix the agent", failed.Output, StringComparison.Ordinal);
        Assert.Matches(@"Report: \S+/reports/runs/\S+/report\.html", failed.Output);

        // Put right and recorded again, the same test passes.
        File.WriteAllText(script, good);
        await Ok(repo, evalh, "record", "evals/support.yaml", "--upstream", "scripted");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+1,", (await Ok(repo, "dotnet", gateTest)).Output);
    }

    [Fact]
    public async Task Tool_InstalledOnThisPlatform_IsCompiledAheadOfTime()
    {
        var (repo, _) = await InstallIntoEmptyFolderAsync("r2r-repo");

        // dotnet tool install took this platform's package, whose code is ReadyToRun; the package for any other platform is not.
        var installed = Assert.Single(Directory.GetFiles(Path.Combine(repo, "t", ".store"), "evalh.dll", SearchOption.AllDirectories));
        Assert.Contains($"evalharness.cli.{PackedFeed.Rid}", installed, StringComparison.Ordinal);
        Assert.True(IsReadyToRun(installed), $"{installed} has no ReadyToRun code");
        using var any = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed.Feed, $"EvalHarness.Cli.any.{feed.Version}.nupkg"));
        var portable = any.Entries.Single(e => e.Name == "evalh.dll");
        var extracted = feed.Temp.Combine("any-evalh.dll");
        System.IO.Compression.ZipFileExtensions.ExtractToFile(portable, extracted, overwrite: true);
        Assert.False(IsReadyToRun(extracted));
    }

    /// <summary>Whether an assembly carries code compiled ahead of time: a ReadyToRun image has a managed native header.</summary>
    private static bool IsReadyToRun(string assembly)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly));
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    [Fact]
    public async Task Tool_ProcessAgentScaffold_RecordsAndReplays()
    {
        var (repo, evalh) = await InstallIntoEmptyFolderAsync("python-repo");
        await Ok(repo, evalh, "init", "--agent", "process");
        await Ok(repo, evalh, "record", "evals/support.yaml", "--upstream", "scripted");
        var run = await Ok(Path.Combine(repo, "evals"), evalh, "run", "support.yaml"); // from another folder: the cassettes are the suite's
        Assert.Contains("2/2 passed", run.Output, StringComparison.Ordinal);
        Assert.Single(Directory.GetDirectories(Path.Combine(repo, "evals", "reports", "runs"))); // reports go where the user stands
    }

    /// <summary>A new empty folder with the tool installed from the feed into <c>t/</c> in it; returns the folder and the tool.</summary>
    private async Task<(string Repo, string Evalh)> InstallIntoEmptyFolderAsync(string name)
    {
        var repo = feed.Temp.Combine(name);
        Directory.CreateDirectory(repo);
        await Ok(repo, "dotnet", "tool", "install", "--tool-path", "t", "--add-source", feed.Feed, "EvalHarness.Cli", "--version", feed.Version);
        return (repo, Path.Combine(repo, "t", "evalh"));
    }

    /// <summary>Runs a command that must succeed, and returns what it printed.</summary>
    private static async Task<Shell.Result> Ok(string directory, string program, params string[] arguments)
    {
        var result = await Shell.RunAsync(directory, program, arguments, timeout: Long);
        Assert.True(result.ExitCode == 0, $"{Path.GetFileName(program)} {string.Join(' ', arguments)}: {result}");
        return result;
    }

    /// <summary>Runs each <c>run:</c> step of the scaffolded workflow in bash, with GitHub's PATH and step-summary files; returns the summary.</summary>
    private static async Task<string> RunWorkflowAsync(string repo)
    {
        var githubPath = Path.Combine(repo, "..", "github-path");
        var stepSummary = Path.Combine(repo, "..", "step-summary.md");
        File.WriteAllText(githubPath, string.Empty);
        var steps = InitCommandTests.WorkflowSteps(File.ReadAllText(Path.Combine(repo, ".github", "workflows", "evals.yml")));
        foreach (var step in steps.Where(s => s.ContainsKey("run")))
        {
            var path = string.Join(Path.PathSeparator, [.. File.ReadAllLines(githubPath).Where(l => l.Length > 0), Environment.GetEnvironmentVariable("PATH")]);
            var result = await Shell.RunAsync(repo, "bash", ["-e", "-c", step["run"]], new Dictionary<string, string?>
            {
                ["PATH"] = path,
                ["GITHUB_PATH"] = githubPath,
                ["GITHUB_STEP_SUMMARY"] = stepSummary,
                ["CI"] = "true",
            }, Long);
            Assert.True(result.ExitCode == 0, $"The workflow's step '{step.GetValueOrDefault("name")}' failed: {result}");
        }

        Assert.Contains(Path.Combine(repo, ".tools"), File.ReadAllText(githubPath), StringComparison.Ordinal);
        return File.ReadAllText(stepSummary);
    }

    /// <summary>A test project of a team's own on the feed's EvalHarness.Xunit and the pinned xunit, with <paramref name="items"/> besides.</summary>
    private void WriteTestProjectFile(string path, string items) => File.WriteAllText(path, $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <OutputType>Exe</OutputType>
            <IsTestProject>true</IsTestProject>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="EvalHarness.Xunit" Version="{feed.Version}" />
            <PackageReference Include="xunit.v3" Version="{PackedFeed.PinnedVersion("xunit.v3")}" />
            <PackageReference Include="xunit.runner.visualstudio" Version="{PackedFeed.PinnedVersion("xunit.runner.visualstudio")}" />
            <PackageReference Include="Microsoft.NET.Test.Sdk" Version="{PackedFeed.PinnedVersion("Microsoft.NET.Test.Sdk")}" />
        {items}
          </ItemGroup>
        </Project>
        """);

    private void WriteTestProject(string folder)
    {
        Directory.CreateDirectory(folder);
        WriteTestProjectFile(Path.Combine(folder, "Evals.Tests.csproj"), $"""
                <!-- The team's agent, compiled into the tests to be given in code. -->
                <PackageReference Include="Microsoft.Extensions.AI" Version="{PackedFeed.PinnedVersion("Microsoft.Extensions.AI")}" />
                <Compile Include="../../evals/agent/ShopAgent.cs" />
            """);
        File.WriteAllText(Path.Combine(folder, "EvalsTests.cs"), """
            using EvalHarness.Xunit;
            using SupportAgent;
            using Xunit;

            public class EvalsTests
            {
                [Theory, SuiteCases("evals/support.yaml")]
                public Task Support(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync(suite, cassettes, caseId);

                [Theory, SuiteCases("evals/desk.yaml")]
                public Task Desk(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync<ShopAgent>(suite, cassettes, caseId);

                // The release gate against the blessed baseline in reports/, from this package alone.
                [Fact]
                public Task SupportPassesTheGate() => SuiteGate.AssertPassesAsync("evals/support.yaml", "evals/gate.yaml");
            }
            """);
    }

    /// <summary>The nuget.config EVALS.md shows: its one XML block.</summary>
    [GeneratedRegex(@"```xml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex NuGetConfigXml();

    /// <summary>The refund scenario's tool turn and answer in the scaffolded script.</summary>
    [GeneratedRegex(@"    - tools: \[\{ refund_order: .*\n    - text: .*\n")]
    private static partial Regex RefundTurns();
}
