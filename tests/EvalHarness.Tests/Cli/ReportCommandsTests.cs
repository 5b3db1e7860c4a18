using EvalHarness.Reports;
using EvalHarness.Reports.Baselines;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>evalh report, gate, compare and baseline bless, end to end on the example suites' cassettes.</summary>
public sealed class ReportCommandsTests : CliTest
{
    private string Reports => Temp.Combine("reports");

    private async Task<string> RunAsync(string suite, params string[] extra)
    {
        var before = Directory.Exists(Path.Combine(Reports, "runs")) ? Directory.GetDirectories(Path.Combine(Reports, "runs")) : [];
        await Evalh(["run", Path.Combine(RepoPaths.Suites, suite), "--cassettes", RepoPaths.Cassettes, "--reports", Reports, .. extra]);
        return Assert.Single(Directory.GetDirectories(Path.Combine(Reports, "runs")).Except(before));
    }

    /// <summary>Where a suite of the repository's examples has its baseline under the temporary reports folder.</summary>
    private string Baseline(string suite) => BaselineStore.PathFor(Reports, SuiteKeys.For(Path.Combine(RepoPaths.Suites, suite), Reports));

    private string Policy(string yaml) => Temp.Write("gate.yaml", yaml);

    [Fact]
    public async Task Report_RebuildsEveryReportIdenticallyFromResultsJson()
    {
        var first = await RunAsync("team.yaml");
        Assert.Equal(0, await Evalh("baseline", "bless", first));
        var run = await RunAsync("team.yaml");
        Assert.Equal(0, await Evalh("gate", run, "--policy", Policy("min_success_rate: 1.0\n")));
        var written = new[] { "cases.csv", "summary.md", "junit.xml", "report.html", "gate.json" }
            .ToDictionary(name => name, name => File.ReadAllBytes(Path.Combine(run, name)));
        foreach (var name in written.Keys)
        {
            File.Delete(Path.Combine(run, name));
        }

        await RunAsync("team.yaml"); // a later run must not change the earlier run's rebuilt report
        File.WriteAllBytes(Path.Combine(run, "gate.json"), written["gate.json"]);
        Assert.Equal(0, await Evalh("report", run));

        foreach (var (name, bytes) in written)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(run, name))), $"{name} differs after the rebuild.");
        }

        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("Gate passed", html, StringComparison.Ordinal);
        Assert.Contains("id=\"trend-success\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWithPolicy_AReplayedScenarioBrokenInEveryVariant_FailsTheGate_ThoughNotSignificant()
    {
        // The repository's support suite and gate.yaml, blessed, then one non-critical scenario broken in all three variants.
        RepoPaths.CopyTree(RepoPaths.Suites, Temp.Combine("suites"));
        var suite = Temp.Combine("suites", "support.yaml");
        Assert.Equal(0, await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Reports));
        Assert.Equal(0, await Evalh("baseline", "bless", "latest", "--reports", Reports));
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("      output: { contains: [shipped] }", "      output: { contains: [shipped, tomorrow] }", StringComparison.Ordinal));

        var exit = await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Reports, "--policy", Path.Combine(RepoPaths.Root, "gate.yaml"));

        Assert.Equal(1, exit);
        Assert.Contains("Gate failed: 1 of 6 rule(s) not met", Out.ToString(), StringComparison.Ordinal);
        // Only the second run had a policy; two runs in the same second sort by their random suffix, not their order.
        // The drop: 3 of 36 cases, 8.3 pts, counted though a significance test would call it noise.
        var gate = File.ReadAllText(Directory.GetDirectories(Path.Combine(Reports, "runs")).Select(d => Path.Combine(d, "gate.json")).Single(File.Exists));
        Snapshots.Match(Snapshots.Json(gate), options => options.IgnoreField("runId").IgnoreField("baselineRunId").IgnoreField("policy"));
    }

    [Fact]
    public async Task Compare_TwoReplaysWithADrop_CountsIt_AsTheGateDoes()
    {
        RepoPaths.CopyTree(RepoPaths.Suites, Temp.Combine("suites"));
        var suite = Temp.Combine("suites", "support.yaml");
        var before = Temp.Combine("before");
        Assert.Equal(0, await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", before));
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("      output: { contains: [shipped] }", "      output: { contains: [shipped, tomorrow] }", StringComparison.Ordinal));
        await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Reports);

        var exit = await Evalh("compare", Directory.GetDirectories(Path.Combine(before, "runs")).Single(), Directory.GetDirectories(Path.Combine(Reports, "runs")).Single(), "--reports", Reports);

        // 3 of 36 paired cases flipped: McNemar would call it noise, but a replay of the same cassettes has no noise.
        Assert.Equal(1, exit);
        Assert.Contains("(−8.3 pts) over 36 paired case(s) · a replay of single trials answers alike every time: every change counts", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWithPolicy_ACaseThatCouldNotRun_SaysWhyTheExitCodeIsTwo()
    {
        RepoPaths.CopyTree(RepoPaths.Cassettes, Temp.Combine("cassettes"));
        File.Delete(Temp.Combine("cassettes", "team", "default", "refund-through-billing.t1.json"));

        var exit = await Evalh("run", Path.Combine(RepoPaths.Suites, "team.yaml"), "--cassettes", Temp.Combine("cassettes"), "--reports", Reports, "--policy", Policy("min_success_rate: 0.5\n"));

        Assert.Equal(2, exit);
        Assert.Contains("Exit code 2, not the gate's: 1 case(s) ended in an error and could not be judged (see above). Fix that and run again.", Out.ToString(), StringComparison.Ordinal);
        // The missing cassette's error names the suite in the commands that record it again.
        var suite = Path.Combine(RepoPaths.Suites, "team.yaml"); // as the run was given it
        var results = await EvalHarness.Reports.Json.ResultsJson.ReadAsync(Directory.GetFiles(Path.Combine(Reports, "runs"), "results.json", SearchOption.AllDirectories).Single(), Ct);
        Assert.EndsWith($"or record only the missing cassettes with `evalh run {suite} --record-mode once --upstream <url|scripted>`.", results.Cases.Single(c => c.Error is not null).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_CodefixRun_FailsOverallButPassesForTheCarefulVariant()
    {
        var run = await RunAsync("codefix.yaml");

        var printed = Out.GetStringBuilder().Length;
        Assert.Equal(1, await Evalh("gate", run, "--policy", Policy("min_success_rate: 0.9\n")));
        Snapshots.Match(Snapshots.Scrub(Out.ToString()[printed..], (Temp.Path, "{temp}"), (Path.GetFileName(run), "{run-id}")));

        Assert.Equal(0, await Evalh("gate", run, "--policy", Policy("variants: [careful]\nmin_success_rate: 0.9\n")));
        Assert.Contains("Gate passed", File.ReadAllText(Path.Combine(run, "summary.md")).Split('\n')[0] + File.ReadAllText(Path.Combine(run, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithPolicy_TakesTheGatesExitCode()
    {
        var policy = Policy("variants: [careful]\nmin_success_rate: 1.0\n");

        Assert.Equal(1, await Evalh("run", Path.Combine(RepoPaths.Suites, "codefix.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Reports));
        Assert.Equal(0, await Evalh("run", Path.Combine(RepoPaths.Suites, "codefix.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Reports, "--policy", policy));
        Assert.Contains("Gate passed", Out.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("min_sucess_rate: 0.9\n", "gate.yaml:1:1: unknown key 'min_sucess_rate' in a gate policy. Did you mean 'min_success_rate'?")]
    [InlineData("variants: [nope]\n", "the policy gates the variant(s) nope, but the run")]
    public async Task Gate_BadPolicy_ExitsTwoAndSaysWhere(string yaml, string message)
    {
        var run = await RunAsync("team.yaml");

        Assert.Equal(2, await Evalh("gate", run, "--policy", Policy(yaml)));
        Assert.Contains(message, Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_MissingRunOrBaseline_ExitsTwo()
    {
        Assert.Equal(2, await Evalh("gate", Temp.Combine("nowhere")));
        Assert.Contains("no such results file", Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await Evalh("gate", "latest", "--reports", Temp.Combine("empty")));
        Assert.Contains("no run yet", Error.ToString(), StringComparison.Ordinal);
        var run = await RunAsync("team.yaml");
        Assert.Equal(2, await Evalh("gate", run, "--baseline", Temp.Combine("nope")));
    }

    [Fact]
    public async Task Baseline_BlessedRun_IsTheDefaultBaselineOfLaterRuns()
    {
        var first = await RunAsync("team.yaml");

        Assert.Equal(0, await Evalh("baseline", "bless", "latest", "--reports", Reports));
        var second = await RunAsync("team.yaml");

        var baseline = Baseline("team.yaml");
        Assert.True(File.Exists(baseline));
        Assert.DoesNotContain("\"transcript\": [\n        {", File.ReadAllText(baseline), StringComparison.Ordinal);
        Assert.Contains($"baseline <code>{Path.GetFileName(first)}</code>", File.ReadAllText(Path.Combine(second, "report.html")), StringComparison.Ordinal);
        Assert.Contains($"Against baseline {Path.GetFileName(first)}: success ±0 pts", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_TwoVariants_PrintsTheTestAndWritesMarkdown()
    {
        var run = await RunAsync("codefix.yaml");

        var exit = await Evalh("compare", run, "--variants", "careful", "hasty");

        Assert.Equal(0, exit); // a drop, but on so few scenarios not a significant one
        var output = Out.ToString();
        Assert.Contains("McNemar exact over", output, StringComparison.Ordinal);
        Assert.Contains("not significant at α = 0.05", output, StringComparison.Ordinal);
        var markdown = File.ReadAllText(Path.Combine(Reports, "compare", $"{Path.GetFileName(run)}-careful--hasty.md"));
        Assert.StartsWith("## hasty vs careful", markdown, StringComparison.Ordinal);
        Assert.Contains("| fix-add (critical) | 1/1 | 0/1 | worse (within noise) |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_TwoVariantsOfAFourScenarioSuite_SaysItCannotShowAChangeAndHowManyCasesWould()
    {
        var run = await RunAsync("codefix.yaml");

        var exit = await Evalh("compare", run, "--variants", "careful", "hasty");

        // careful passes all 4 scenarios, hasty 2: McNemar p = 0.5, and even 4 of 4 flipping would be p = 0.125.
        Assert.Equal(0, exit);
        const string TooFew = "4 paired case(s) cannot show a significant change at α = 0.05: even if all 4 flipped one way, p would be 0.125. "
            + "It takes at least 6 paired case(s), and about 12 for a change of this size.";
        var output = Out.ToString();
        Assert.Contains(TooFew, output, StringComparison.Ordinal);
        Assert.DoesNotContain("regressed", output, StringComparison.Ordinal);
        Assert.Contains("worse (within noise)", output, StringComparison.Ordinal);
        var markdown = File.ReadAllText(Path.Combine(Reports, "compare", $"{Path.GetFileName(run)}-careful--hasty.md"));
        Assert.Contains(TooFew, markdown, StringComparison.Ordinal);
        Assert.Contains("| fix-add (critical) | 1/1 | 0/1 | worse (within noise) |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_RunsOfDifferentSuites_ExitsTwo()
    {
        var team = await RunAsync("team.yaml");
        var digest = await RunAsync("digest.yaml");

        Assert.Equal(2, await Evalh("compare", team, digest));
        Assert.Contains("compare runs of one suite", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_NarrowedRun_IsRefusedUnlessAllowed_AndStaysOutOfTheHistory()
    {
        var run = await RunAsync("support.yaml", "--variant", "default");

        Assert.Equal(2, await Evalh("baseline", "bless", run));
        Assert.Contains("is a part of the suite (--variant default)", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Reports, "history")));
        Assert.Equal(0, await Evalh("baseline", "bless", run, "--allow-partial"));
    }

    [Theory]
    [InlineData("--shard", "1/2", "0 new, 0 removed")]
    [InlineData("--filter", "refund-*", "0 new, 0 removed")]
    [InlineData("--variant", "haiku", "0 new, 0 removed")]
    public async Task Baseline_APartialRun_IsComparedOnlyOnTheCasesItRan(string option, string value, string counts)
    {
        await RunAsync("support.yaml");
        Assert.Equal(0, await Evalh("baseline", "bless", "latest", "--reports", Reports));

        await RunAsync("support.yaml", option, value);

        Assert.Contains($"0 regressed, 0 fixed, 0 flaky, {counts}", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_ARunWithFailures_IsRefusedUnlessForced()
    {
        var run = await RunAsync("codefix.yaml"); // the hasty variant fails two scenarios

        Assert.Equal(2, await Evalh("baseline", "bless", run));
        Assert.Contains("has 2 failed case(s) and 0 error(s) (codefix/hasty/", Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("pass --force to bless this one as it is", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Reports, "baselines")));

        Assert.Equal(0, await Evalh("baseline", "bless", run, "--force"));
        Assert.True(File.Exists(Baseline("codefix.yaml")));
    }

    [Fact]
    public async Task Latest_IgnoresFoldersThatAreNotRuns()
    {
        var run = await RunAsync("team.yaml");
        RepoPaths.CopyTree(run, Path.Combine(Reports, "runs", "zz-copy"));

        Assert.Equal(0, await Evalh("baseline", "bless", "latest", "--reports", Reports));
        Assert.Contains($"Run {Path.GetFileName(run)} ", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_BaselineOfAnotherSuite_NamesTheFileAndWhatToDo()
    {
        var digest = await RunAsync("digest.yaml");
        var team = await RunAsync("team.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(Baseline("team.yaml"))!);
        File.Copy(Path.Combine(digest, "results.json"), Baseline("team.yaml"));

        Assert.Equal(2, await Evalh("gate", team));
        Assert.Contains($"{Baseline("team.yaml")}: the baseline is a run of the suite 'digest', not 'team'. Bless a run of team", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PolicyGatingAVariantTheRunLacks_FailsBeforeRunning()
    {
        var exit = await Evalh("run", Path.Combine(RepoPaths.Suites, "codefix.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Reports, "--variant", "hasty", "--policy", Policy("variants: [careful]\n"));

        Assert.Equal(2, exit);
        Assert.Contains("the policy gates the variant 'careful', which this run does not run (variants: hasty).", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Reports, "runs")));
    }

    [Fact]
    public async Task Compare_AlphaThatIsNotANumber_SaysWhatToWrite()
    {
        var run = await RunAsync("codefix.yaml");

        Assert.Equal(2, await Evalh("compare", run, "--variants", "careful", "hasty", "--alpha", "abc"));
        Assert.Contains("--alpha must be a number between 0 and 1 such as 0.05, not 'abc'.", Error.ToString(), StringComparison.Ordinal);
    }
}
