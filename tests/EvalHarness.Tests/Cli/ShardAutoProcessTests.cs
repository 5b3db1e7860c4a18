using System.Diagnostics;
using EvalHarness.Cli.Commands;
using EvalHarness.Reports.Json;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// <c>--shard auto</c> as CI engines run it: four <c>evalh run</c> processes, each given only its engine's variables
/// (as the engine's scheduler gives them), whose merge is the whole run: the same cases, verdicts and gate.
/// </summary>
public sealed class ShardAutoProcessTests : CliTest
{
    private static string EvalhDll => Path.Combine(AppContext.BaseDirectory, "evalh.dll");

    /// <summary>The codefix suite: eight cases, two of which fail, so the gate has something to say.</summary>
    private static string Suite => Path.Combine(RepoPaths.Suites, "codefix.yaml");

    private static string Policy => Path.Combine(RepoPaths.Root, "gate.yaml");

    /// <summary>Each engine's variables for shard <c>i</c> of 4 (from 1), as the engine sets them.</summary>
    public static TheoryData<string> Engines => ["github", "gitlab", "kubernetes", "buildkite", "circleci"];

    private static Dictionary<string, string> VariablesOf(string engine, int shard) => engine switch
    {
        "github" => new() { ["EVALH_SHARD"] = $"{shard}/4" },
        "gitlab" => new() { ["CI_NODE_INDEX"] = $"{shard}", ["CI_NODE_TOTAL"] = "4" },
        "kubernetes" => new() { ["JOB_COMPLETION_INDEX"] = $"{shard - 1}", ["EVALH_SHARD_TOTAL"] = "4" },
        "buildkite" => new() { ["BUILDKITE_PARALLEL_JOB"] = $"{shard - 1}", ["BUILDKITE_PARALLEL_JOB_COUNT"] = "4" },
        "circleci" => new() { ["CIRCLE_NODE_INDEX"] = $"{shard - 1}", ["CIRCLE_NODE_TOTAL"] = "4" },
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, null),
    };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task FourShardProcesses_WithAnEnginesVariables_MergeIntoTheWholeRun(string engine)
    {
        var shards = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => RunShardAsync(i, VariablesOf(engine, i))));

        var runs = new List<string>();
        foreach (var (shard, exit, output) in shards)
        {
            // A shard with a failing case exits 1, one without 0; each says where its shard came from.
            Assert.True(exit is 0 or 1, $"shard {shard}: exit {exit}\n{output}");
            Assert.Contains($"Shard {shard}/4, from ", output, StringComparison.Ordinal);
            var run = Assert.Single(Directory.GetDirectories(Temp.Combine($"shard{shard}", "runs")));
            Assert.Equal($"{shard}/4", (await ResultsJson.ReadAsync(Path.Combine(run, "results.json"), Ct)).Shard);
            runs.Add(run + Path.DirectorySeparatorChar); // as the workflow's merge job globs them: shards/*/*/
        }

        Assert.Equal(1, await Evalh("run", Suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("whole")));
        Assert.Equal(1, await Evalh(["merge", .. runs, "--reports", Temp.Combine("merged")]));
        var whole = await ResultsJson.ReadAsync(Directory.GetFiles(Temp.Combine("whole", "runs"), "results.json", SearchOption.AllDirectories).Single(), Ct);
        var merged = await ResultsJson.ReadAsync(Directory.GetFiles(Temp.Combine("merged", "runs"), "results.json", SearchOption.AllDirectories).Single(), Ct);
        Assert.Equal(8, merged.Cases.Count);
        Assert.Equal(
            whole.Cases.Select(c => (c.CassetteId, c.Passed, c.Error, string.Join('|', c.Verdicts.Select(v => $"{v.Kind} {v.Passed} {v.Reason}")))),
            merged.Cases.Select(c => (c.CassetteId, c.Passed, c.Error, string.Join('|', c.Verdicts.Select(v => $"{v.Kind} {v.Passed} {v.Reason}")))));
        Assert.Equal(whole.Summary, merged.Summary);

        // The gate says the same of both, rule by rule (the first line names the run, which differs).
        var gateWhole = await GateAsync(Path.GetDirectoryName(Directory.GetFiles(Temp.Combine("whole", "runs"), "results.json", SearchOption.AllDirectories).Single())!);
        var gateMerged = await GateAsync(Path.GetDirectoryName(Directory.GetFiles(Temp.Combine("merged", "runs"), "results.json", SearchOption.AllDirectories).Single())!);
        Assert.NotEqual(0, gateWhole.Exit);
        Assert.Equal(gateWhole, gateMerged);
    }

    [Fact]
    public async Task AutoShard_WithNoEnginesVariables_IsExitTwoNamingThem()
    {
        var (_, exit, output) = await RunShardAsync(0, []);

        Assert.Equal(2, exit);
        Assert.Contains("error: --shard auto: no CI engine's shard variables are set (looked for EVALH_SHARD, CI_NODE_INDEX, CI_NODE_TOTAL", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoShard_WithAHalfSetPair_IsExitTwoNamingTheMissingVariable()
    {
        var (_, exit, output) = await RunShardAsync(0, new() { ["JOB_COMPLETION_INDEX"] = "1" });

        Assert.Equal(2, exit);
        Assert.Contains("JOB_COMPLETION_INDEX is set (1) but EVALH_SHARD_TOTAL is not", output, StringComparison.Ordinal);
    }

    /// <summary>The gate's exit code and its lines after the first (which names the run).</summary>
    private async Task<(int Exit, string Lines)> GateAsync(string run)
    {
        Out.GetStringBuilder().Clear();
        var exit = await Evalh("gate", run, "--policy", Policy, "--reports", Temp.Combine("gate"));
        var lines = Out.ToString().Split('\n').Skip(1).Where(l => !l.Contains("Report:", StringComparison.Ordinal));
        return (exit, string.Join('\n', lines));
    }

    /// <summary>
    /// <c>evalh run --shard auto</c> as a process of its own with only <paramref name="variables"/> of the engines' (the
    /// test's own environment may be a CI job's), into a reports folder of its own.
    /// </summary>
    private async Task<(int Shard, int Exit, string Output)> RunShardAsync(int shard, Dictionary<string, string> variables)
    {
        var start = new ProcessStartInfo("dotnet", [EvalhDll, "run", Suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine($"shard{shard}"), "--shard", "auto"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Temp.Path,
        };
        foreach (var variable in CiShards.Variables)
        {
            start.Environment.Remove(variable);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        try
        {
            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(3), Ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (shard, process.ExitCode, await output + await error);
    }
}
