using EvalHarness.Cli.Commands;
using EvalHarness.Tests.Support;
using Spectre.Console;

namespace EvalHarness.Tests.Cli;

/// <summary>The evalh command line end to end: exit codes, messages and the files it writes.</summary>
public sealed class EvalhAppTests : CliTest
{
    private static string SupportSuite => Path.Combine(RepoPaths.Suites, "support.yaml");

    [Fact]
    public async Task Run_ExampleSuite_PassesAndWritesTheReports()
    {
        var exit = await Evalh("run", SupportSuite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Path);

        Assert.Equal(0, exit);
        var output = Out.ToString();
        Assert.Contains("36/36 passed", output, StringComparison.Ordinal);
        Assert.Equal(12, output.Split('\n').Count(l => l.EndsWith("/36 done", StringComparison.Ordinal))); // a log gets a line every tenth (3 cases)
        Assert.Contains("refund-broken-item", output, StringComparison.Ordinal);
        var runDirectory = Assert.Single(Directory.GetDirectories(Temp.Combine("runs")));
        Assert.Contains(Path.Combine(runDirectory, "report.html"), output, StringComparison.Ordinal);
        Assert.Equal(["cases.csv", "junit.xml", "report.html", "results.json", "summary.md"], Directory.GetFiles(runDirectory).Select(Path.GetFileName).Order());
        var history = Assert.Single(Directory.GetFiles(Temp.Combine("history"), "*.csv", SearchOption.AllDirectories));
        Assert.Single(File.ReadAllLines(history), l => l.StartsWith("run_id,", StringComparison.Ordinal));
        Assert.Equal(37, File.ReadAllLines(history).Length);
    }

    [Fact]
    public async Task Run_CassetteMissing_ExitsTwoAndNamesTheCassette()
    {
        var cassettes = Temp.Combine("cassettes");
        RepoPaths.CopyTree(RepoPaths.Cassettes, cassettes);
        File.Delete(Path.Combine(cassettes, "support", "default", "unknown-order.t1.json"));

        var exit = await Evalh("run", SupportSuite, "--cassettes", cassettes, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Contains("cassette 'support/default/unknown-order/t1' not found", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PromptChanged_ExitsTwoAndShowsWhatDiffers()
    {
        var suites = Temp.Combine("suites");
        RepoPaths.CopyTree(RepoPaths.Suites, suites);
        var prompt = Path.Combine(suites, "prompts", "support-v1.md");
        File.WriteAllText(prompt, File.ReadAllText(prompt).Replace("briefly and politely", "briefly and warmly", StringComparison.Ordinal));

        var exit = await Evalh("run", Path.Combine(suites, "support.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        var output = Out.ToString();
        Assert.Contains("interaction #1: the request differs from the recording at $.messages[0].content", output, StringComparison.Ordinal);
        Assert.Contains("politely", output, StringComparison.Ordinal);
        Assert.Contains("warmly", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ScenarioFails_ExitsOne()
    {
        var suites = Temp.Combine("suites");
        RepoPaths.CopyTree(RepoPaths.Suites, suites);
        var suite = Path.Combine(suites, "support.yaml");
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("contains: [shipped]", "contains: [delivered]", StringComparison.Ordinal));

        var exit = await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"));

        Assert.Equal(1, exit);
        Assert.Contains("The output does not contain \"delivered\"", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MalformedSuite_ExitsTwoWithFileLineAndColumn()
    {
        var suite = Temp.Write("bad.yaml", "suite: bad\nagent:\n  model: openai:m\n  system_promt: hi\nscenarios: [{ name: a, input: hi }]\n");

        var exit = await Evalh("run", suite);

        Assert.Equal(2, exit);
        Assert.Equal($"error: {suite}:4:3: unknown key 'system_promt' in agent. Did you mean 'system_prompt'?", Error.ToString().Trim());
    }

    [Fact]
    public async Task Record_FromScriptedUpstream_WritesCassettesThatReplay()
    {
        var cassettes = Temp.Combine("cassettes");

        var recordExit = await Evalh("record", SupportSuite, "--upstream", "scripted", "--cassettes", cassettes, "--reports", Temp.Combine("reports"));
        var replayExit = await Evalh("run", SupportSuite, "--cassettes", cassettes, "--reports", Temp.Combine("reports"));

        Assert.Equal((0, 0), (recordExit, replayExit));
        Assert.Equal(12, Directory.GetFiles(Path.Combine(cassettes, "support", "default"), "*.t1.json").Length);
        Assert.Equal(12, Directory.GetFiles(Path.Combine(cassettes, "support", "streaming"), "*.t1.json").Length);
        Assert.Equal(12, Directory.GetFiles(Path.Combine(cassettes, "support", "haiku"), "*.t1.json").Length);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("run", "x.yaml", "--concurrency", "0")]
    [InlineData("record", "x.yaml")]
    [InlineData("frobnicate")]
    public async Task UsageError_ExitsTwo(params string[] args)
    {
        Assert.Equal(2, await Evalh(args));
        Assert.StartsWith("error: ", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ConcurrencyNotANumber_ExitsTwoWithoutAStackTrace()
    {
        Assert.Equal(2, await Evalh("run", SupportSuite, "--concurrency", "abc"));
        Assert.Contains("abc", Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CassetteFolderMissing_SaysSoOnce()
    {
        var exit = await Evalh("run", SupportSuite, "--cassettes", Temp.Combine("nowhere"), "--reports", Temp.Path);

        Assert.Equal(2, exit);
        Assert.Contains("the cassette folder does not exist", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SuiteIsAFolder_SaysToPassAFile()
    {
        Assert.Equal(2, await Evalh("run", RepoPaths.Suites));
        Assert.Contains("is a folder; pass one suite file", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ResultsAndReportHoldEveryCaseWhole_ThoughTheRunKeptTheDetailsOnDisk()
    {
        Assert.Equal(0, await Evalh("run", SupportSuite, "--cassettes", RepoPaths.Cassettes, "--filter", "order-status", "--variant", "default", "--reports", Temp.Path));

        var folder = Directory.GetDirectories(Path.Combine(Temp.Path, "runs")).Single();
        var results = await EvalHarness.Reports.Json.ResultsJson.ReadAsync(Path.Combine(folder, "results.json"), TestContext.Current.CancellationToken);
        var only = Assert.Single(results.Cases);
        Assert.Contains(only.Transcript, m => m.Role == "user" && m.Text.Contains("A101", StringComparison.Ordinal));
        Assert.Equal("orders.lookup_order", Assert.Single(only.ToolCalls).Tool);
        Assert.NotEmpty(only.Trace);
        Assert.Contains("<h3>Transcript</h3>", await File.ReadAllTextAsync(Path.Combine(folder, "report.html"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ModelWithoutAPrice_ShowsCostAsUnknownNotZero()
    {
        var suites = Temp.Combine("suites");
        RepoPaths.CopyTree(RepoPaths.Suites, suites);
        var cassettes = Temp.Combine("cassettes");
        var suite = Path.Combine(suites, "support.yaml");
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("openai:gpt-4o-mini", "openai:house-model-1", StringComparison.Ordinal));
        Assert.Equal(0, await Evalh("record", suite, "--upstream", "scripted", "--cassettes", cassettes, "--reports", Temp.Combine("r1")));

        var exit = await Evalh("run", suite, "--cassettes", cassettes, "--reports", Temp.Combine("r2"));

        Assert.Equal(0, exit);
        Assert.Contains("cost n/a (a model has no price)", Out.ToString(), StringComparison.Ordinal);
        var path = Directory.GetFiles(Temp.Combine("r2"), "results.json", SearchOption.AllDirectories).Single();
        Assert.DoesNotMatch("\"costUsd\": 0[,\\r\\n]", File.ReadAllText(path));
        Assert.Contains("\"costUsd\": null", File.ReadAllText(path), StringComparison.Ordinal);

        // The unknown cost reads back: the run's reports rebuild from results.json.
        Assert.Equal(0, await Evalh("report", Path.GetDirectoryName(path)!, "--reports", Temp.Combine("r2")));
    }

    [Fact]
    public async Task Serve_ReplaysCommittedCassettesToAPlainHttpClient_UntilCancelled()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(TextWriter.Synchronized(Out)) });
        var serving = EvalhApp.InvokeAsync(["serve", "--cassettes", RepoPaths.Cassettes], console, Error, stop.Token);
        string? address = null;
        for (var i = 0; i < 2_400 && address is null && !serving.IsCompleted; i++) // up to a minute on a loaded machine
        {
            await Task.Delay(25, Ct);
            address = System.Text.RegularExpressions.Regex.Match(Out.ToString(), @"Cassette server on (http://127\.0\.0\.1:[0-9]+/)").Groups[1].Value is { Length: > 0 } found ? found : null;
        }

        Assert.NotNull(address);
        var cassette = EvalHarness.Cassettes.Format.CassetteStore.Read(Path.Combine(RepoPaths.Cassettes, "support", "default", "order-status.t1.json"));
        using var http = new HttpClient();
        using var response = await http.PostAsync(
            new Uri($"{address}c/support/default/order-status/t1/v1/chat/completions"),
            new StringContent(cassette.Interactions[0].Request.Body.GetRawText(), System.Text.Encoding.UTF8, "application/json"),
            Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        stop.Cancel();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("lookup_order", body, StringComparison.Ordinal);
        Assert.Equal(0, await serving);
    }

    [Fact]
    public async Task Run_RealisticReplay_PassesLikeInstant()
    {
        var exit = await Evalh("run", Path.Combine(RepoPaths.Suites, "digest.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Path, "--replay", "realistic");

        Assert.Equal(0, exit);
        Assert.Contains("3/3 passed", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CassettesLint_ReportsEachKindOfProblem_AndExitsOne()
    {
        var cassettes = Temp.Combine("cassettes");
        RepoPaths.CopyTree(Path.Combine(RepoPaths.Cassettes, "digest"), Path.Combine(cassettes, "digest"));
        var good = Path.Combine(cassettes, "digest", "default", "weekly-digest.t1.json");
        File.WriteAllText(Path.Combine(cassettes, "digest", "default", "broken.t1.json"), "{ \"formatVersion\": 1, ");
        File.WriteAllText(Path.Combine(cassettes, "digest", "default", "leaky.t1.json"),
            File.ReadAllText(good).Replace("\"id\": \"digest/default/weekly-digest/t1\"", "\"id\": \"digest/default/leaky/t1\"", StringComparison.Ordinal)
                .Replace("Write this week's support digest.", "token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", StringComparison.Ordinal));
        File.WriteAllText(good, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(good), "\"recordedAt\": \"[^\"]+\"", "\"recordedAt\": \"2025-01-01T00:00:00+00:00\""));

        var exit = await Evalh("cassettes", "lint", "--cassettes", cassettes, "--suite", Path.Combine(RepoPaths.Suites, "digest.yaml"), "--max-age-days", "90");

        Assert.Equal(1, exit);
        var output = Out.ToString();
        Assert.Contains("format ", output, StringComparison.Ordinal);
        Assert.Contains("broken.t1.json", output, StringComparison.Ordinal);
        Assert.Contains("secret ", output, StringComparison.Ordinal);
        Assert.Contains("what looks like a GitHub token", output, StringComparison.Ordinal);
        Assert.Contains("unused ", output, StringComparison.Ordinal);
        Assert.Contains("stale ", output, StringComparison.Ordinal);
        Assert.Contains("5 cassette(s) checked", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CassettesLintAndClean_PartialFileOfAKilledRecording_IsReportedThenRemoved()
    {
        var cassettes = Temp.Combine("cassettes");
        RepoPaths.CopyTree(Path.Combine(RepoPaths.Cassettes, "digest"), Path.Combine(cassettes, "digest"));
        // What CassetteStore.Save leaves when killed between writing and renaming: <file>.<pid>.<guid>.tmp, its process gone.
        var partial = Path.Combine(cassettes, "digest", "default", "weekly-digest.t1.json.999999999.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(partial, "{ \"formatVersion\": 1, \"id\": \"digest/def");

        var lint = await Evalh("cassettes", "lint", "--cassettes", cassettes);
        var clean = await Evalh("cassettes", "clean", "--cassettes", cassettes);
        var lintAfter = await Evalh("cassettes", "lint", "--cassettes", cassettes);

        Assert.Equal((1, 0, 0), (lint, clean, lintAfter));
        var output = Out.ToString();
        Assert.Contains($"partial {Path.GetRelativePath(Environment.CurrentDirectory, partial)}: is a partial cassette", output, StringComparison.Ordinal);
        Assert.Contains($"removed {Path.GetRelativePath(Environment.CurrentDirectory, partial)}", output, StringComparison.Ordinal);
        Assert.Contains("1 partial file(s) removed.", output, StringComparison.Ordinal);
        Assert.False(File.Exists(partial));
        Assert.True(File.Exists(Path.Combine(cassettes, "digest", "default", "weekly-digest.t1.json")));
        Assert.EndsWith("0 finding(s).", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CassettesLint_PathsThatDifferOnlyInCase_AndAPartialFileWithoutItsCassette_AreReported()
    {
        var cassettes = Temp.Combine("cassettes");
        RepoPaths.CopyTree(Path.Combine(RepoPaths.Cassettes, "digest"), Path.Combine(cassettes, "digest"));
        var original = Path.Combine(cassettes, "digest", "default", "weekly-digest.t1.json");
        var twin = Path.Combine(cassettes, "digest", "default", "Weekly-Digest.t1.json");
        File.Copy(original, twin);
        var orphan = Path.Combine(cassettes, "digest", "default", "brand-new.t1.json.999999999.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(orphan, "{ \"formatVersion\": 1");

        Assert.Equal(1, await Evalh("cassettes", "lint", "--cassettes", cassettes));

        var output = Out.ToString();
        Assert.Contains($"case {Path.GetRelativePath(Environment.CurrentDirectory, original)}: differs from {Path.Combine("digest", "default", "Weekly-Digest.t1.json")} only in case", output, StringComparison.Ordinal);
        Assert.Contains("brand-new.t1.json was never", output, StringComparison.Ordinal); // the console wraps the rest
        Assert.DoesNotContain("the cassette itself is whole", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CassettesLint_CommittedCassettes_AreClean()
    {
        var args = new List<string> { "cassettes", "lint", "--cassettes", RepoPaths.Cassettes };
        foreach (var suite in Directory.GetFiles(RepoPaths.Suites, "*.yaml"))
        {
            args.AddRange(["--suite", suite]);
        }

        Assert.Equal(0, await Evalh([.. args]));
        Assert.Contains("0 finding(s)", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CassettesStats_CountsInteractionsStreamsAndFaults()
    {
        Assert.Equal(0, await Evalh("cassettes", "stats", "--cassettes", RepoPaths.Cassettes));

        var output = Out.ToString();
        Assert.Contains("support", output, StringComparison.Ordinal);
        Assert.Matches(@"[0-9]+ cassette\(s\), [0-9]+ interaction\(s\)", output);
        Assert.Equal(2, await Evalh("cassettes", "stats", "--cassettes", Temp.Combine("none")));
    }

    [Fact]
    public async Task Run_FilterMatchingNothing_ExitsTwo()
    {
        Assert.Equal(2, await Evalh("run", SupportSuite, "--cassettes", RepoPaths.Cassettes, "--filter", "no-such-*"));
        Assert.Contains("no case matches --filter no-such-*", Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await Evalh("run", SupportSuite, "--cassettes", RepoPaths.Cassettes, "--variant", "gpt-9"));
        Assert.Contains("there is no variant 'gpt-9'", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shards_MergeIntoTheSameRunAsAWholeRun()
    {
        var reports = Temp.Combine("reports");
        foreach (var shard in new[] { "1/3", "2/3", "3/3" })
        {
            Assert.Equal(0, await Evalh("run", SupportSuite, "--cassettes", RepoPaths.Cassettes, "--reports", reports, "--shard", shard));
        }

        var shards = Directory.GetDirectories(Path.Combine(reports, "runs"));
        Assert.Equal(0, await Evalh("run", SupportSuite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("whole")));
        Assert.Equal(0, await Evalh(["merge", .. shards, "--reports", Temp.Combine("merged")]));

        var merged = await EvalHarness.Reports.Json.ResultsJson.ReadAsync(Directory.GetFiles(Temp.Combine("merged"), "results.json", SearchOption.AllDirectories).Single(), Ct);
        var whole = await EvalHarness.Reports.Json.ResultsJson.ReadAsync(Directory.GetFiles(Temp.Combine("whole"), "results.json", SearchOption.AllDirectories).Single(), Ct);
        Assert.Equal(whole.Cases.Select(c => (c.CassetteId, c.Passed, c.Steps, c.LatencyMs)), merged.Cases.Select(c => (c.CassetteId, c.Passed, c.Steps, c.LatencyMs)));
        Assert.Equal(whole.Summary, merged.Summary);
        Assert.Null(merged.Shard);

        Assert.Equal(2, await Evalh(["merge", shards[0], shards[0]]));
        Assert.Contains("is in more than one run", Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await Evalh(["merge", shards[0], shards[1]]));
        Assert.Contains("/3 are missing: the merged run would not be the whole suite.", Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await Evalh("run", SupportSuite, "--shard", "4/3"));
    }
}
