using EvalHarness.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Tests.Cli;

/// <summary>evalh init in process: what it writes, what it refuses to overwrite, and that the scaffold runs.</summary>
public sealed class InitCommandTests : CliTest
{
    private string Project => Temp.Combine("project");

    [Fact]
    public async Task Init_EmptyFolder_WritesAndListsEveryFile_ThenTheSuiteRecordsAndReplays()
    {
        Assert.Equal(0, await Evalh("init", Project));

        string[] expected = ["evals/support.yaml", "evals/scripts/support.yaml", "evals/gate.yaml", ".github/workflows/evals.yml", "EVALS.md", ".gitignore"];
        Assert.All(expected, f => Assert.True(File.Exists(Path.Combine(Project, f)), $"{f} was not written."));
        Assert.Equal(expected.Order(), Directory.GetFiles(Project, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Project, f).Replace('\\', '/')).Order());
        var listed = Out.ToString();
        Assert.All(expected[..^1], f => Assert.Contains($"created  {Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(Project, f))}", listed, StringComparison.Ordinal));
        Assert.Contains("(+ reports/runs/, reports/history/, reports/compare/)", listed, StringComparison.Ordinal);

        var suite = Path.Combine(Project, "evals", "support.yaml");
        Assert.Equal(0, await Evalh("record", suite, "--upstream", "scripted", "--reports", Path.Combine(Project, "reports")));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(Project, "evals", "cassettes"), "*.json", SearchOption.AllDirectories).Length);
        Assert.Equal(0, await Evalh("run", suite, "--policy", Path.Combine(Project, "evals", "gate.yaml"), "--reports", Path.Combine(Project, "reports")));
        Assert.Contains("Gate passed", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_ProcessAgent_HoldsAConversation_SendingTheTurnsSoFar_AndKeepingItsState()
    {
        Assert.Equal(0, await Evalh("init", Project, "--agent", "process"));
        var suite = Path.Combine(Project, "evals", "support.yaml");
        File.AppendAllText(suite, """

              - name: clarifies-then-asks
                conversation:
                  - "Hi, please refund order A100, it arrived broken."
                  - user: "And where is B200?"
                    expect: { output: { contains: [shipped] } }
                expect:
                  state: { orders.A100.status: refunded }
            """);
        File.AppendAllText(Path.Combine(Project, "evals", "scripts", "support.yaml"), """

              clarifies-then-asks:
                - tools: [{ refund_order: { order_id: A100 } }]
                - text: "Of course! I refunded order A100."
                - tools: [{ lookup_order: { order_id: B200 } }]
                - text: "Order B200 has shipped."
            """);

        Assert.Equal(0, await Evalh("record", suite, "--upstream", "scripted", "--filter", "clarifies-then-asks", "--reports", Path.Combine(Project, "reports")));

        // Turn 2's first request carries turn 1: the sample agent sends the conversation it is given, not just the last
        // message; and the refund of turn 1 is still there at the end (the state of the turn before comes back to it).
        using var cassette = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Project, "evals", "cassettes", "support", "default", "clarifies-then-asks.t1.json")));
        var messages = cassette.RootElement.GetProperty("interactions")[2].GetProperty("request").GetProperty("body").GetProperty("messages");
        Assert.Equal(["system", "user", "assistant", "user"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Of course! I refunded order A100.", messages[2].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Init_Twice_RefusesAndWritesNothing_UnlessForced()
    {
        Assert.Equal(0, await Evalh("init", Project));
        var suite = Path.Combine(Project, "evals", "support.yaml");
        File.WriteAllText(suite, "# mine\n");

        Assert.Equal(2, await Evalh("init", Project, "--agent", "process"));
        Assert.Equal("# mine\n", File.ReadAllText(suite));
        Assert.False(File.Exists(Path.Combine(Project, "evals", "agent", "agent.py")));
        Assert.Contains("2 file(s) of the suite 'support' are already there, so nothing was written", Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--force", Error.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await Evalh("init", Project, "--agent", "process", "--force"));
        Assert.Contains("command: [python3, agent/agent.py]", File.ReadAllText(suite), StringComparison.Ordinal);
        Assert.Contains($"overwrote  {Path.GetRelativePath(Environment.CurrentDirectory, suite)}", Out.ToString(), StringComparison.Ordinal);
        Assert.Contains($"created  {Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(Project, "evals", "agent", "agent.py"))}", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_ASecondSuite_KeepsTheSharedFiles_AndTheGitignoreGetsOnlyTheLinesItLacks()
    {
        var gitignore = Temp.Write("project/.gitignore", "bin/\nreports/runs/");
        Assert.Equal(0, await Evalh("init", Project));
        var workflow = File.ReadAllText(Path.Combine(Project, ".github", "workflows", "evals.yml"));

        Assert.Equal(0, await Evalh("init", Project, "--name", "billing", "--agent", "process"));

        Assert.True(File.Exists(Path.Combine(Project, "evals", "billing.yaml")));
        Assert.Equal(workflow, File.ReadAllText(Path.Combine(Project, ".github", "workflows", "evals.yml")));
        Assert.Contains("(already there; --force overwrites it)", Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("add evalh run evals/billing.yaml --policy evals/gate.yaml to its steps", Out.ToString(), StringComparison.Ordinal);
        var lines = File.ReadAllLines(gitignore);
        Assert.Equal(["bin/", "reports/runs/", "", "# EvalHarness: run folders, this machine's history and build output (commit evals/cassettes/ and reports/baselines/)", "reports/history/", "reports/compare/"], lines);
        Assert.Contains("it already ignores", Out.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builtin", "")]
    [InlineData("process", "      - uses: actions/setup-python@v5")]
    [InlineData("dotnet", "        run: dotnet build evals/agent")]
    public async Task Init_Workflow_IsValidYaml_ThatInstallsTheToolReplaysGatesAndUploadsTheReport(string agent, string agentStep)
    {
        Assert.Equal(0, await Evalh("init", Project, "--agent", agent));

        var text = File.ReadAllText(Path.Combine(Project, ".github", "workflows", "evals.yml"));
        Assert.Contains(agentStep, text, StringComparison.Ordinal);
        var steps = WorkflowSteps(text);
        var run = steps.Where(s => s.ContainsKey("run")).Select(s => s["run"]).ToList();
        Assert.Contains($"dotnet tool install --tool-path .tools EvalHarness.Cli --version {EvalHarness.Cli.Init.InitCommand.Version}\necho \"$PWD/.tools\" >> \"$GITHUB_PATH\"\n", run);
        Assert.Equal("evalh run evals/support.yaml --policy evals/gate.yaml", run[^1]);
        var upload = Assert.Single(steps, s => s.TryGetValue("uses", out var uses) && uses.StartsWith("actions/upload-artifact@", StringComparison.Ordinal));
        Assert.Equal("always()", upload["if"]);
        Assert.DoesNotContain("\n\n      -", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_ProcessAgent_WorkflowSetsUpPythonBeforeTheReplay_AndSaysWhereNodeGoes()
    {
        Assert.Equal(0, await Evalh("init", Project, "--agent", "process"));

        // The sample agent is Python: the runner's own python3 may change under it, so the workflow pins one; an agent
        // in Node needs setup-node in the same place, which the workflow says.
        var text = File.ReadAllText(Path.Combine(Project, ".github", "workflows", "evals.yml"));
        var steps = WorkflowSteps(text);
        var python = steps.FindIndex(s => s.TryGetValue("uses", out var uses) && uses.StartsWith("actions/setup-python@", StringComparison.Ordinal));
        Assert.True(python >= 0, "the workflow has no actions/setup-python step");
        Assert.Equal("3.12", steps[python]["with.python-version"]);
        Assert.True(python < steps.FindIndex(s => s.TryGetValue("run", out var run) && run.StartsWith("evalh run ", StringComparison.Ordinal)));
        Assert.Contains("# An agent in Node: - uses: actions/setup-node@v4", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_DotnetAgent_IgnoresItsBuildOutput_AndSaysWhereToRunFrom()
    {
        Assert.Equal(0, await Evalh("init", Project, "--agent", "dotnet"));

        Assert.Equal(["reports/runs/", "reports/history/", "reports/compare/", "evals/agent/bin/", "evals/agent/obj/"], File.ReadAllLines(Path.Combine(Project, ".gitignore")).Where(l => l.EndsWith('/')));
        Assert.Contains($"  cd {Path.GetRelativePath(Environment.CurrentDirectory, Project)}\n  dotnet build evals/agent ", Out.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        // Until the packages are on nuget.org, the agent's build needs a source that has them: the printed step and EVALS.md say so.
        Assert.Contains("needs the EvalHarness.Abstractions package from a NuGet source: EVALS.md says how", Out.ToString(), StringComparison.Ordinal);
        // A repository-local nuget.config, not `dotnet nuget add source`, which writes the user-level one CI does not have.
        var evals = File.ReadAllText(Path.Combine(Project, "EVALS.md"));
        Assert.Contains("from the repository's nuget.config (\"Before EvalHarness is on nuget.org\", below)", evals, StringComparison.Ordinal);
        Assert.Contains("<add key=\"evalharness-local\" value=\"evals/packages\" />", evals, StringComparison.Ordinal);
        Assert.Contains("<add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" />", evals, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet nuget add source <", evals, StringComparison.Ordinal);
        Assert.Contains("dotnet: { assembly: agent/bin/SupportAgent.dll, type: SupportAgent.ShopAgent }", File.ReadAllText(Path.Combine(Project, "evals", "support.yaml")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builtin")]
    [InlineData("process")]
    public async Task Init_Shards_WritesAMatrixOfShards_AndAMergeJobThatNeedsEveryOne_GatesAndUploadsOneReport(string agent)
    {
        Assert.Equal(0, await Evalh("init", Project, "--agent", agent, "--shards", "4"));

        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Project, ".github", "workflows", "evals.yml"))));
        var jobs = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["jobs"];
        Assert.Equal(["shard", "merge"], jobs.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var shard = (YamlMappingNode)jobs["shard"];
        var matrix = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)shard["strategy"])["matrix"])["shard"];
        var indexes = matrix.Children.Select(n => ((YamlScalarNode)n).Value!).ToList();
        Assert.Equal(["1", "2", "3", "4"], indexes);
        Assert.Equal("false", ((YamlScalarNode)((YamlMappingNode)shard["strategy"])["fail-fast"]).Value);

        // Each matrix job's EVALH_SHARD, as GitHub fills it in, is the shard --shard auto reads: 1/4 to 4/4, every case once.
        var form = ((YamlScalarNode)((YamlMappingNode)shard["env"])["EVALH_SHARD"]).Value!;
        var read = indexes.Select(i => EvalHarness.Cli.Commands.CiShards.Read(name => name == "EVALH_SHARD"
            ? form.Replace("${{ matrix.shard }}", i, StringComparison.Ordinal).Replace("${{ strategy.job-total }}", $"{indexes.Count}", StringComparison.Ordinal)
            : null));
        Assert.Equal([(1, 4), (2, 4), (3, 4), (4, 4)], read.Select(f => (f.Index, f.Count)));
        var shardSteps = Steps(shard);
        Assert.Contains("evalh run evals/support.yaml --shard auto || [ $? -eq 1 ]", shardSteps.Select(s => s.GetValueOrDefault("run")));
        var upload = Assert.Single(shardSteps, s => s.GetValueOrDefault("uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);
        Assert.Equal("evals-shard-${{ matrix.shard }}", upload["with.name"]);
        Assert.Equal(agent == "process", shardSteps.Any(s => s.GetValueOrDefault("uses")?.StartsWith("actions/setup-python@", StringComparison.Ordinal) == true));

        // The merge job needs the matrix job, which is every shard; it downloads them all, merges, gates and uploads one report.
        var merge = (YamlMappingNode)jobs["merge"];
        Assert.Equal("shard", ((YamlScalarNode)merge["needs"]).Value);
        var mergeSteps = Steps(merge);
        var download = Assert.Single(mergeSteps, s => s.GetValueOrDefault("uses")?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true);
        Assert.Equal("evals-shard-*", download["with.pattern"]);
        var runs = mergeSteps.Where(s => s.ContainsKey("run")).Select(s => s["run"]).ToList();
        Assert.Equal(["evalh merge shards/*/*/ || [ $? -eq 1 ]", "evalh gate latest --policy evals/gate.yaml"], runs.Skip(1));
        var report = Assert.Single(mergeSteps, s => s.GetValueOrDefault("uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);
        Assert.Equal(("always()", "evals-report"), (report["if"], report["with.name"]));
        Assert.True(mergeSteps.IndexOf(download) < mergeSteps.IndexOf(report));
        Assert.Contains("replays in 4 shards at once (`--shard auto`), merges them, gates and uploads one report", File.ReadAllText(Path.Combine(Project, "EVALS.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    public async Task Init_ShardsOutOfRange_ExitsTwoAndWritesNothing(string shards)
    {
        Assert.Equal(2, await Evalh("init", Project, "--shards", shards));

        Assert.Contains("--shards must be 1 to 256", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Project));
    }

    [Fact]
    public async Task Init_AMisspeltOption_IsNotTakenForAFolder()
    {
        Assert.Equal(2, await Evalh("init", "--nmae"));

        Assert.Contains("'--nmae' is not an option of evalh init", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists("--nmae"));
    }

    [Fact]
    public async Task Init_BadName_ExitsTwoAndWritesNothing()
    {
        Assert.Equal(2, await Evalh("init", Project, "--name", "../up"));
        Assert.Contains("is not a suite name", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Project));
    }

    /// <summary>The steps of the workflow's one job, each a map of its scalar keys (with: blocks flattened as with.key).</summary>
    internal static List<Dictionary<string, string>> WorkflowSteps(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("evals", ((YamlScalarNode)root["name"]).Value);
        Assert.True(root.Children.ContainsKey("on"));
        return Steps((YamlMappingNode)Assert.Single(((YamlMappingNode)root["jobs"]).Children).Value);
    }

    /// <summary>A job's steps, each a map of its scalar keys (with: blocks flattened as with.key).</summary>
    private static List<Dictionary<string, string>> Steps(YamlMappingNode job)
    {
        Assert.Equal("ubuntu-latest", ((YamlScalarNode)job["runs-on"]).Value);
        return [.. ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>().Select(step =>
            step.Children.SelectMany(kv => kv.Value is YamlMappingNode with
                ? with.Children.Select(w => ($"{((YamlScalarNode)kv.Key).Value}.{((YamlScalarNode)w.Key).Value}", ((YamlScalarNode)w.Value).Value!))
                : [(((YamlScalarNode)kv.Key).Value!, ((YamlScalarNode)kv.Value).Value!)])
            .ToDictionary(kv => kv.Item1, kv => kv.Item2))];
    }
}
