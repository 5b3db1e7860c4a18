using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>Input built to break the harness, through the command line: every one ends in exit 2 with a position.</summary>
public sealed class HostileInputTests : CliTest
{
    private static string Deep(int depth) => string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth));

    [Theory]
    [InlineData("suite")]
    [InlineData("include")]
    [InlineData("policy")]
    public async Task Run_NestingTooDeep_ExitsTwoWithFileLineColumn_InsteadOfOverflowingTheStack(string where)
    {
        var suite = Temp.Write("suite.yaml", where switch
        {
            "suite" => $"suite: deep\nagent: {Deep(200_000)}\n",
            "include" => File.ReadAllText(Path.Combine(RepoPaths.Suites, "team.yaml")) + "\ninclude: [part.yaml]\n",
            _ => File.ReadAllText(Path.Combine(RepoPaths.Suites, "team.yaml")),
        });
        Temp.Write("part.yaml", $"fixtures: {Deep(200_000)}\n");
        var policy = Temp.Write("gate.yaml", $"min_success_rate: {Deep(200_000)}\n");
        string[] args = where == "policy"
            ? ["run", Path.Combine(RepoPaths.Suites, "team.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--policy", policy]
            : ["run", suite, "--reports", Temp.Combine("reports")];

        Assert.Equal(2, await Evalh(args));

        var file = where switch { "suite" => suite, "include" => "part.yaml", _ => policy };
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(Path.GetFileName(file))}:\d+:\d+: the document nests deeper than 64 levels", Error.ToString());
    }
}
