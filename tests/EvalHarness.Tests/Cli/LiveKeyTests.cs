using EvalHarness.Tests.Core;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>The command line's live keys, read from the process environment: run alone (see <see cref="ProcessEnvironment"/>).</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class LiveKeyTests : CliTest
{
    private static string SupportSuite => Path.Combine(RepoPaths.Suites, "support.yaml");

    [Fact]
    public async Task Record_LiveUpstreamWithoutKey_ExitsTwoAndSaysWhichVariable()
    {
        var saved = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", null);
        try
        {
            var exit = await Evalh("record", SupportSuite, "--upstream", "http://127.0.0.1:9/", "--cassettes", Temp.Path);

            Assert.Equal(2, exit);
            Assert.Contains("OPENAI_API_KEY", Error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", saved);
        }
    }
}
