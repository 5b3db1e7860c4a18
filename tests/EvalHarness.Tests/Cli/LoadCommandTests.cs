using System.Text.Json;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// <c>evalh load</c>: real Kestrel on 127.0.0.1 serving cassettes with their recorded timing, real SDK clients, the
/// figures in load.json. The timings asserted are the cassettes' own (200 and 400 ms), with a band wide enough for a
/// shared two-core machine.
/// </summary>
public sealed class LoadCommandTests : CliTest
{
    /// <summary>A suite of two one-call scenarios whose cassettes are recorded with 200 and 400 ms of model latency.</summary>
    private async Task<string> TimedSuiteAsync()
    {
        var suite = Temp.Write("timed/timed.yaml",
            "suite: timed\nagent:\n  model: openai:gpt-4o-mini\n  system_prompt: Be brief.\nscenarios:\n"
            + "  - name: fast\n    input: Say hi.\n    expect: { output: { contains: [hi] } }\n"
            + "  - name: slow\n    input: Say hello.\n    expect: { output: { contains: [hello] } }\n");
        Temp.Write("timed/scripts/timed.yaml",
            "default:\n  fast:\n    - { text: \"hi there\", latency_ms: 200 }\n  slow:\n    - { text: \"hello there\", latency_ms: 400 }\n");
        Assert.Equal(0, await Evalh("record", suite, "--upstream", "scripted", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports")));
        Out.GetStringBuilder().Clear();
        return suite;
    }

    private JsonElement ReadLoad(string folder)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "load.json")));
        return document.RootElement.Clone();
    }

    private static JsonElement Case(JsonElement load, string name) =>
        load.GetProperty("perCase").EnumerateArray().Single(c => c.GetProperty("case").GetString() == name);

    [Fact]
    public async Task Load_CassettesWithKnownTimings_PercentilesReflectTheRecordedLatency()
    {
        var suite = await TimedSuiteAsync();
        var folder = Temp.Combine("load");

        var exit = await Evalh("load", suite, "--cassettes", Temp.Combine("cassettes"), "--concurrency", "4", "--iterations", "16", "--warmup", "2", "--out", folder);

        Assert.Equal(0, exit);
        var load = ReadLoad(folder);
        Assert.Equal(16, load.GetProperty("iterations").GetInt32());
        Assert.Equal(2, load.GetProperty("warmup").GetInt32());
        Assert.Equal(16, load.GetProperty("modelCalls").GetInt32());
        Assert.Equal(0, load.GetProperty("errors").GetProperty("count").GetInt32());
        // Every iteration waits its recorded time (an instant replay takes a few ms), and no more than a loaded machine's
        // overhead on top: the bounds are wide on purpose, so the test does not depend on this machine's speed.
        foreach (var (name, recorded) in new[] { ("default/fast/t1", 200.0), ("default/slow/t1", 400.0) })
        {
            var figures = Case(load, name);
            Assert.Equal(8, figures.GetProperty("count").GetInt32());
            Assert.Equal(recorded, figures.GetProperty("recordedMs").GetDouble());
            // A timer may fire a fraction of a millisecond before the stopwatch says its time is up (399.8 ms for 400 seen
            // here once): the lower bound allows that, and still tells a recorded wait from an instant replay.
            Assert.InRange(figures.GetProperty("p50").GetDouble(), recorded - 5, recorded + 2000);
        }

        // Half the iterations wait 200 ms, half 400 ms: the nearest-rank median is a 200 ms one, the p95 a 400 ms one.
        Assert.Equal(200, load.GetProperty("recordedModel").GetProperty("p50").GetDouble());
        Assert.Equal(400, load.GetProperty("recordedModel").GetProperty("p95").GetDouble());
        Assert.InRange(load.GetProperty("latency").GetProperty("p50").GetDouble(), 200, 2200);
        Assert.InRange(load.GetProperty("latency").GetProperty("p95").GetDouble(), 400, 2400);
        Assert.InRange(load.GetProperty("overhead").GetProperty("p50").GetDouble(), 0, 2000);
        Assert.Equal(JsonValueKind.Null, load.GetProperty("process").ValueKind);
        Assert.True(File.Exists(Path.Combine(folder, "load.png")));
        Assert.True(File.Exists(Path.Combine(folder, "load.svg")));
        Assert.Contains("| default/slow/t1 | 8 |", File.ReadAllText(Path.Combine(folder, "load.md")), StringComparison.Ordinal);
        Assert.Contains($"Load: {Path.Combine(folder, "load.json")}", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_ExampleSuite200Iterations_FinishesWithThroughputAndNoErrors()
    {
        var folder = Temp.Combine("load");

        var exit = await Evalh("load", Path.Combine(RepoPaths.Suites, "support.yaml"), "--concurrency", "8", "--iterations", "200",
            "--cassettes", RepoPaths.Cassettes, "--out", folder);

        Assert.True(exit == 0, Out.ToString() + Error.ToString());
        var load = ReadLoad(folder);
        Assert.Equal(200, load.GetProperty("iterations").GetInt32());
        Assert.Equal(36, load.GetProperty("cases").GetInt32());
        Assert.Equal(8, load.GetProperty("concurrency").GetInt32());
        Assert.Equal(0, load.GetProperty("errors").GetProperty("count").GetInt32());
        Assert.Equal(0, load.GetProperty("failures").GetInt32());
        Assert.True(load.GetProperty("throughput").GetProperty("casesPerSecond").GetDouble() > 0);
        Assert.True(load.GetProperty("throughput").GetProperty("modelCallsPerSecond").GetDouble() > load.GetProperty("throughput").GetProperty("casesPerSecond").GetDouble());
        var latency = load.GetProperty("latency");
        Assert.True(latency.GetProperty("p50").GetDouble() >= load.GetProperty("recordedModel").GetProperty("p50").GetDouble());
        Assert.True(latency.GetProperty("p95").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(load.GetProperty("overhead").GetProperty("p50").GetDouble() >= 0);
        Assert.NotEmpty(load.GetProperty("timeline").EnumerateArray());
        Assert.Equal(200, load.GetProperty("timeline").EnumerateArray().Sum(s => s.GetProperty("completed").GetInt32()));
    }

    [Fact]
    public async Task Load_NoOutFolder_WritesBesideTheRunsWhereLatestDoesNotLook()
    {
        var suite = await TimedSuiteAsync(); // its recording is the one run in the reports folder
        var reports = Temp.Combine("reports");

        var exit = await Evalh("load", suite, "--cassettes", Temp.Combine("cassettes"), "--iterations", "2", "--reports", reports);

        Assert.Equal(0, exit);
        var folder = Assert.Single(Directory.GetDirectories(Path.Combine(reports, "runs"), "*-timed-load-*"));
        Assert.True(File.Exists(Path.Combine(folder, "load.json")));
        Assert.Equal(0, await Evalh("report", "latest", "--reports", reports));
    }

    [Fact]
    public async Task Load_DurationWithRamp_StartsIterationsForThatLongAtARisingConcurrency()
    {
        var suite = await TimedSuiteAsync();
        var folder = Temp.Combine("load");

        var exit = await Evalh("load", suite, "--cassettes", Temp.Combine("cassettes"), "--duration", "2s", "--ramp", "1:6", "--out", folder);

        Assert.Equal(0, exit);
        var load = ReadLoad(folder);
        Assert.Equal(("1:6", 6, 2000.0), (load.GetProperty("ramp").GetString(), load.GetProperty("concurrency").GetInt32(), load.GetProperty("durationPlannedMs").GetDouble()));
        Assert.InRange(load.GetProperty("durationMs").GetDouble(), 2000, 20000); // the last ones started before 2 s finish after it
        var concurrency = load.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("concurrency").GetInt32()).ToList();
        Assert.True(concurrency[0] < concurrency[^1] && concurrency[^1] >= 5, string.Join(",", concurrency));
        Assert.True(load.GetProperty("iterations").GetInt32() >= 6);
    }

    [Theory]
    [InlineData("--concurrency 0", "--concurrency 0 is out of bounds: between 1 and 256")]
    [InlineData("--concurrency 1000", "--concurrency 1000 is out of bounds: between 1 and 256")]
    [InlineData("--iterations 100001", "--iterations 100001 is out of bounds: between 1 and 100,000")]
    [InlineData("--duration 2h", "--duration 7200 s is out of bounds")]
    [InlineData("--duration soon", "--duration 'soon' is not a duration")]
    [InlineData("--iterations 5 --duration 5s", "Give --iterations or --duration, not both.")]
    [InlineData("--ramp 1:300", "--ramp 300 is out of bounds")]
    [InlineData("--ramp 1:4 --concurrency 4", "Give --concurrency or --ramp, not both")]
    [InlineData("--upstream live", "evalh load never records and never calls a model provider")]
    public async Task Load_OutOfBounds_ExitsTwoWithTheReason(string options, string message)
    {
        var exit = await Evalh(["load", Path.Combine(RepoPaths.Suites, "support.yaml"), "--cassettes", RepoPaths.Cassettes, "--out", Temp.Combine("load"), .. options.Split(' ')]);

        Assert.Equal(2, exit);
        Assert.Contains(message, Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp.Combine("load")));
    }

    [Fact]
    public async Task Load_MissingCassette_ExitsTwoNamingTheFileAndRecord()
    {
        var suite = await TimedSuiteAsync();
        var missing = Temp.Combine("cassettes", "timed", "default", "slow.t1.json");
        File.Delete(missing);

        var exit = await Evalh("load", suite, "--cassettes", Temp.Combine("cassettes"), "--iterations", "4", "--out", Temp.Combine("load"));

        Assert.Equal(2, exit);
        var error = Error.ToString();
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.Contains("the cassette 'timed/default/slow/t1' is missing", error, StringComparison.Ordinal);
        Assert.Contains("`evalh record", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_MissingSimulatedUserCassette_StopsBeforeItStarts()
    {
        RepoPaths.CopyTree(RepoPaths.Cassettes, Temp.Combine("cassettes"));
        var missing = Temp.Combine("cassettes", "conversations", "default", "simulated-customer-wants-credit", "t1", "user.json");
        File.Delete(missing);

        var exit = await Evalh("load", Path.Combine(RepoPaths.Suites, "conversations.yaml"), "--cassettes", Temp.Combine("cassettes"), "--iterations", "4", "--out", Temp.Combine("load"));

        Assert.Equal(2, exit);
        Assert.Contains("the cassette 'conversations/default/simulated-customer-wants-credit/t1/user' is missing", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp.Combine("load")));
    }

    [Fact]
    public async Task Load_ProcessAgent_ReportsItsCpuAndMemory()
    {
        var example = RepoPaths.Example("python-agent");
        var folder = Temp.Combine("load");

        var exit = await Evalh("load", Path.Combine(example, "suite.yaml"), "--cassettes", Path.Combine(example, "cassettes"),
            "--concurrency", "3", "--iterations", "6", "--out", folder);

        Assert.True(exit == 0, Out.ToString() + Error.ToString());
        var load = ReadLoad(folder);
        // The process calls the cassette server itself: its calls and their recorded time are counted by the server.
        // Round-robin over the four cases: three of three calls, the three-turn conversation (seven calls), two more of three.
        Assert.Equal(22, load.GetProperty("modelCalls").GetInt32());
        Assert.True(load.GetProperty("recordedModel").GetProperty("p50").GetDouble() > 1000);
        var process = load.GetProperty("process");
        Assert.Equal(8, process.GetProperty("processes").GetInt32()); // the conversation is a process per turn
        Assert.True(process.GetProperty("cpuMs").GetDouble() > 0, process.ToString());
        Assert.True(process.GetProperty("peakMemoryMb").GetDouble() > 1, process.ToString());
        Assert.Contains("agent process", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_Interrupted_KeepsWhatFinishedAndSaysSo()
    {
        var suite = await TimedSuiteAsync();
        var folder = Temp.Combine("load");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(2));

        var exit = await Support.Evalh.InvokeAsync(Out, Error,
            ["load", suite, "--cassettes", Temp.Combine("cassettes"), "--concurrency", "2", "--duration", "5m", "--out", folder], stop.Token);

        Assert.Equal(2, exit);
        var load = ReadLoad(folder);
        Assert.StartsWith("Stopped by the user after ", load.GetProperty("interrupted").GetString(), StringComparison.Ordinal);
        Assert.True(load.GetProperty("iterations").GetInt32() > 0);
        Assert.Contains("load.json holds the finished iterations", Out.ToString(), StringComparison.Ordinal);
    }
}
