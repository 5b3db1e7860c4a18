using EvalHarness.Cli.Commands;
using EvalHarness.Core.Suites;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// <c>--shard auto</c>'s table of CI engines: each engine's variables, counted from its own base, give the same shard
/// <c>--shard i/n</c> would; a pair half set, a value out of range and no engine at all are input errors naming the variable.
/// </summary>
public sealed class CiShardsTests
{
    private static CiShards.Found Read(params (string Name, string Value)[] variables) =>
        CiShards.Read(name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault());

    private static string ErrorOf(params (string Name, string Value)[] variables) => Assert.Throws<SuiteException>(() => Read(variables)).Message;

    [Theory]
    [InlineData("EVALH_SHARD", "2/4", null, null, 2, "EVALH_SHARD (a GitHub Actions matrix): EVALH_SHARD=2/4")]
    [InlineData("CI_NODE_INDEX", "1", "CI_NODE_TOTAL", "4", 1, "GitLab CI (parallel:): CI_NODE_INDEX=1, CI_NODE_TOTAL=4")]
    [InlineData("CI_NODE_INDEX", "4", "CI_NODE_TOTAL", "4", 4, "GitLab CI")]
    [InlineData("BUILDKITE_PARALLEL_JOB", "0", "BUILDKITE_PARALLEL_JOB_COUNT", "4", 1, "Buildkite (parallelism:): BUILDKITE_PARALLEL_JOB=0")]
    [InlineData("BUILDKITE_PARALLEL_JOB", "3", "BUILDKITE_PARALLEL_JOB_COUNT", "4", 4, "Buildkite")]
    [InlineData("CIRCLE_NODE_INDEX", "0", "CIRCLE_NODE_TOTAL", "4", 1, "CircleCI (parallelism:): CIRCLE_NODE_INDEX=0, CIRCLE_NODE_TOTAL=4")]
    [InlineData("CIRCLE_NODE_INDEX", "2", "CIRCLE_NODE_TOTAL", "4", 3, "CircleCI")]
    [InlineData("JOB_COMPLETION_INDEX", "0", "EVALH_SHARD_TOTAL", "4", 1, "a Kubernetes Indexed Job: JOB_COMPLETION_INDEX=0, EVALH_SHARD_TOTAL=4")]
    [InlineData("JOB_COMPLETION_INDEX", "3", "EVALH_SHARD_TOTAL", "4", 4, "a Kubernetes Indexed Job")]
    public void Read_EachEnginesVariables_GiveTheShardFromOne(string indexVariable, string index, string? totalVariable, string? total, int expected, string source)
    {
        var found = totalVariable is null ? Read((indexVariable, index)) : Read((indexVariable, index), (totalVariable, total!));

        Assert.Equal((expected, 4), (found.Index, found.Count));
        Assert.StartsWith(source, found.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EvalhShard_WinsOverAnEnginesPairThatIsThereAnyway()
    {
        // CircleCI sets 0 of 1 on every job; a workflow that sets EVALH_SHARD means it.
        var found = Read(("CIRCLE_NODE_INDEX", "0"), ("CIRCLE_NODE_TOTAL", "1"), ("EVALH_SHARD", "3/4"));

        Assert.Equal((3, 4), (found.Index, found.Count));
    }

    [Fact]
    public void Read_NoVariable_NamesEveryVariableItLookedFor()
    {
        var message = ErrorOf(("CI", "true"), ("EVALH_SHARD", "  "));

        Assert.StartsWith("--shard auto: no CI engine's shard variables are set", message, StringComparison.Ordinal);
        foreach (var variable in (string[])["EVALH_SHARD", "CI_NODE_INDEX", "CI_NODE_TOTAL", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT",
                     "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", "JOB_COMPLETION_INDEX", "EVALH_SHARD_TOTAL"])
        {
            Assert.Contains(variable, message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("CI_NODE_INDEX", "2", "CI_NODE_INDEX is set (2) but CI_NODE_TOTAL is not")]
    [InlineData("CI_NODE_TOTAL", "4", "CI_NODE_TOTAL is set (4) but CI_NODE_INDEX is not")]
    [InlineData("BUILDKITE_PARALLEL_JOB_COUNT", "4", "BUILDKITE_PARALLEL_JOB_COUNT is set (4) but BUILDKITE_PARALLEL_JOB is not")]
    [InlineData("CIRCLE_NODE_INDEX", "1", "CIRCLE_NODE_INDEX is set (1) but CIRCLE_NODE_TOTAL is not")]
    [InlineData("JOB_COMPLETION_INDEX", "0", "JOB_COMPLETION_INDEX is set (0) but EVALH_SHARD_TOTAL is not, so the shard of a Kubernetes Indexed Job is half known: Kubernetes gives a pod its index but not")]
    public void Read_AHalfSetPair_NamesTheMissingVariable(string variable, string value, string expected) =>
        Assert.Contains(expected, ErrorOf((variable, value)), StringComparison.Ordinal);

    [Theory]
    [InlineData("CI_NODE_INDEX", "0", "CI_NODE_TOTAL", "4", "CI_NODE_INDEX='0' is not a shard of 4 (CI_NODE_TOTAL=4): GitLab CI (parallel:) counts its shards from 1, so it must be 1 to 4.")]
    [InlineData("CIRCLE_NODE_INDEX", "4", "CIRCLE_NODE_TOTAL", "4", "CIRCLE_NODE_INDEX='4' is not a shard of 4 (CIRCLE_NODE_TOTAL=4): CircleCI (parallelism:) counts its shards from 0, so it must be 0 to 3.")]
    [InlineData("BUILDKITE_PARALLEL_JOB", "-1", "BUILDKITE_PARALLEL_JOB_COUNT", "4", "BUILDKITE_PARALLEL_JOB='-1' is not a shard of 4")]
    [InlineData("JOB_COMPLETION_INDEX", "x", "EVALH_SHARD_TOTAL", "4", "JOB_COMPLETION_INDEX='x' is not a shard of 4")]
    [InlineData("JOB_COMPLETION_INDEX", "0", "EVALH_SHARD_TOTAL", "0", "EVALH_SHARD_TOTAL='0' is not a number of shards")]
    [InlineData("CI_NODE_INDEX", "1", "CI_NODE_TOTAL", "four", "CI_NODE_TOTAL='four' is not a number of shards")]
    public void Read_AValueOutOfRange_NamesTheVariableAndItsRange(string indexVariable, string index, string totalVariable, string total, string expected) =>
        Assert.Contains(expected, ErrorOf((indexVariable, index), (totalVariable, total)), StringComparison.Ordinal);

    [Theory]
    [InlineData("5/4")]
    [InlineData("0/4")]
    [InlineData("2")]
    [InlineData("a/b")]
    public void Read_EvalhShardThatIsNotIOfN_IsAnError(string value) =>
        Assert.Contains($"EVALH_SHARD='{value}' is not a shard: write i/n with 1 <= i <= n", ErrorOf(("EVALH_SHARD", value)), StringComparison.Ordinal);

    [Fact]
    public void ParseShard_Auto_SaysWhichEngineItUsed()
    {
        var notices = new List<string>();

        var shard = CommonOptions.ParseShard("auto", name => name switch { "CI_NODE_INDEX" => "2", "CI_NODE_TOTAL" => "3", _ => null }, notices.Add);

        Assert.Equal((2, 3), shard);
        Assert.Equal(["Shard 2/3, from GitLab CI (parallel:): CI_NODE_INDEX=2, CI_NODE_TOTAL=3"], notices);
    }
}
