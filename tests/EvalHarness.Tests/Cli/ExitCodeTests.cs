using System.Text;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>The one mapping of exceptions to exit codes: the user's input is 2, a bug in evalh is 3 and says so.</summary>
public sealed class ExitCodeTests : CliTest
{
    [Fact]
    public async Task Run_AnUnexpectedException_ExitsThreeSayingItIsABugWithTheStackTrace()
    {
        // A console that breaks stands in for any bug: nothing the user wrote is wrong.
        using var broken = new BrokenWriter();

        var exit = await Support.Evalh.InvokeAsync(broken, Error, ["run", Path.Combine(RepoPaths.Suites, "support.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Path, "--filter", "order-status"], Ct);

        Assert.Equal(3, exit);
        var error = Error.ToString();
        Assert.StartsWith("error: this is a bug in evalh ", error, StringComparison.Ordinal);
        Assert.Contains("not a mistake of yours: InvalidOperationException: the console broke", error, StringComparison.Ordinal);
        Assert.Contains("   at ", error, StringComparison.Ordinal); // the stack trace, to report
    }

    [Fact]
    public async Task Run_MalformedSuite_IsStillTheUsersInputAndExitsTwo()
    {
        var suite = Temp.Write("bad.yaml", "suite: bad\nagent: { model: nowhere }\nscenarios: []\n");

        var exit = await Evalh("run", suite, "--cassettes", Temp.Path, "--reports", Temp.Path);

        Assert.Equal(2, exit);
        Assert.DoesNotContain("bug in evalh", Error.ToString(), StringComparison.Ordinal);
    }

    private sealed class BrokenWriter : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => throw new InvalidOperationException("the console broke");

        public override void Write(string? value) => throw new InvalidOperationException("the console broke");
    }
}
