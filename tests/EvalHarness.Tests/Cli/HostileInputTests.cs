using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>Input built to break the harness, through the command line: every one ends in exit 2 with a position.</summary>
public sealed class HostileInputTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        _temp.Dispose();
        _out.Dispose();
        _error.Dispose();
    }

    private Task<int> Evalh(params string[] args) => Support.Evalh.InvokeAsync(_out, _error, args, Ct);

    private static string Deep(int depth) => string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth));

    [Theory]
    [InlineData("suite")]
    [InlineData("include")]
    [InlineData("policy")]
    public async Task Run_NestingTooDeep_ExitsTwoWithFileLineColumn_InsteadOfOverflowingTheStack(string where)
    {
        var suite = _temp.Write("suite.yaml", where switch
        {
            "suite" => $"suite: deep\nagent: {Deep(200_000)}\n",
            "include" => File.ReadAllText(Path.Combine(RepoPaths.Suites, "team.yaml")) + "\ninclude: [part.yaml]\n",
            _ => File.ReadAllText(Path.Combine(RepoPaths.Suites, "team.yaml")),
        });
        _temp.Write("part.yaml", $"fixtures: {Deep(200_000)}\n");
        var policy = _temp.Write("gate.yaml", $"min_success_rate: {Deep(200_000)}\n");
        string[] args = where == "policy"
            ? ["run", Path.Combine(RepoPaths.Suites, "team.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", _temp.Combine("reports"), "--policy", policy]
            : ["run", suite, "--reports", _temp.Combine("reports")];

        Assert.Equal(2, await Evalh(args));

        var file = where switch { "suite" => suite, "include" => "part.yaml", _ => policy };
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(Path.GetFileName(file))}:\d+:\d+: the document nests deeper than 64 levels", _error.ToString());
    }
}
