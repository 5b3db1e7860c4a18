using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// <c>examples/http-agent</c>, an ASP.NET Core service on Microsoft Agent Framework with no harness code in it, as a
/// team's CI runs it: the suite starts the service, six cases go to it at once, and its own model calls (the .NET
/// defaults passing the request's trace context on) are answered from each case's committed cassette.
/// </summary>
public sealed class HttpAgentExampleTests : CliTest
{
    private const int ServicePort = 5077;

    private static string Example => RepoPaths.Example("http-agent");

    private Task<int> Replay(string suite, params string[] more) =>
        Evalh(["run", suite, "--concurrency", "6", "--cassettes", Path.Combine(Example, "cassettes"), "--reports", Temp.Combine("reports"), .. more]);

    [Fact(Timeout = 300_000)]
    public async Task Replay_SixCasesAtOnce_AllPassFromTheirOwnCassettes_AndTheServiceIsStoppedAfter()
    {
        var exit = await Replay(Path.Combine(Example, "suite.yaml"));

        Assert.True(exit == 0, $"evalh exited {exit}:{Environment.NewLine}{Out}{Error}");
        Assert.Contains("6/6 passed", Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("tent-then-jacket", Out.ToString(), StringComparison.Ordinal); // the three-turn conversation
        Assert.False(Ports.Accepts(ServicePort), "the example service still runs after the run");
    }

    [Fact(Timeout = 300_000)]
    public async Task Replay_AnExpectationTheAnswerNoLongerMeets_ExitsOne()
    {
        // The suite as a team would change it, beside its copy: the service still starts from the example's folder.
        var suite = File.ReadAllText(Path.Combine(Example, "suite.yaml"));
        Assert.Contains("output: { contains: [\"12\"] }", suite, StringComparison.Ordinal);
        var changed = Temp.Write("suite.yaml", suite
            .Replace("output: { contains: [\"12\"] }", "output: { contains: [\"13\"] }", StringComparison.Ordinal)
            .Replace("      command: [dotnet, bin/HttpAgent.dll]", $"      command: [dotnet, bin/HttpAgent.dll]\n      cwd: \"{Example.Replace("\\", "/", StringComparison.Ordinal)}\"", StringComparison.Ordinal));

        var exit = await Replay(changed, "--allow-outside"); // the service's folder is the example's

        Assert.True(exit == 1, $"evalh exited {exit}:{Environment.NewLine}{Out}{Error}");
        Assert.Contains("5/6 passed", Out.ToString(), StringComparison.Ordinal);
        Assert.False(Ports.Accepts(ServicePort));
    }

    [Fact(Timeout = 300_000)]
    public async Task Record_SixCasesAtOnceFromTheScriptedUpstream_EachIntoItsOwnCassette_AsCommitted()
    {
        var exit = await Evalh("record", Path.Combine(Example, "suite.yaml"), "--upstream", "scripted", "--concurrency", "6",
            "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"), "--allow-outside");

        Assert.True(exit == 0, $"evalh exited {exit}:{Environment.NewLine}{Out}{Error}");
        var committed = Directory.GetFiles(Path.Combine(Example, "cassettes"), "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Example, "cassettes"), f)).Order().ToList();
        var recorded = Directory.GetFiles(Temp.Combine("cassettes"), "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Temp.Combine("cassettes"), f)).Order().ToList();
        Assert.Equal(6, recorded.Count);
        Assert.Equal(committed, recorded);

        // Each case's model calls reached its own cassette, whichever order the six arrived in: the recording is the
        // committed one, interaction by interaction (the recorded time aside).
        foreach (var file in recorded)
        {
            Assert.Equal(
                Interactions(Path.Combine(Example, "cassettes", file)),
                Interactions(Temp.Combine("cassettes", file)));
        }

        Assert.False(Ports.Accepts(ServicePort), "the example service still runs after the recording");
    }

    private static List<string> Interactions(string cassette)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(cassette));
        return [.. document.RootElement.GetProperty("interactions").EnumerateArray()
            .Select(i => i.GetProperty("request").GetRawText() + i.GetProperty("response").GetProperty("body").GetRawText())];
    }
}
