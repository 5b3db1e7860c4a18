using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// An own agent's regressions as a team meets them through <c>evalh</c>: a changed prompt no longer matches its
/// cassette (exit 2, with where the request differs); a changed answer fails (exit 1) and the baseline calls it regressed.
/// </summary>
public sealed class OwnAgentCliTests : CliTest
{
    /// <summary>A copy of an example to change: its agent, suite and cassettes (node_modules linked, not copied).</summary>
    private string CopyExample(string name)
    {
        var from = RepoPaths.Example(name);
        var to = Temp.Combine(name);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(from, f).Split(Path.DirectorySeparatorChar).Any(part => part is "node_modules" or "bin" or "obj")))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        if (Directory.Exists(Path.Combine(from, "node_modules")))
        {
            Directory.CreateSymbolicLink(Path.Combine(to, "node_modules"), Path.Combine(from, "node_modules"));
        }

        return to;
    }

    private static void Edit(string file, string from, string to)
    {
        var text = File.ReadAllText(file);
        Assert.Contains(from, text, StringComparison.Ordinal); // the example still says what the test changes
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));
    }

    private Task<int> Run(string folder) =>
        Evalh("run", Path.Combine(folder, "suite.yaml"), "--cassettes", Path.Combine(folder, "cassettes"), "--reports", Path.Combine(folder, "reports"));

    [Theory]
    [InlineData("python-agent", "agent.py")]
    [InlineData("node-agent", "agent.mjs")]
    public async Task Run_ProcessAgentPromptChanged_ExitsTwoAndShowsTheJsonPath(string example, string agentFile)
    {
        var folder = CopyExample(example);
        Edit(Path.Combine(folder, agentFile), "answer briefly", "answer at length");

        var exit = await Run(folder);

        Assert.Equal(2, exit);
        var output = Out.ToString();
        Assert.Contains("interaction #1: the request differs from the recording at $.messages[0].content", output, StringComparison.Ordinal);
        Assert.Contains("answer at length", output, StringComparison.Ordinal);
        Assert.Contains("0/4 passed", output, StringComparison.Ordinal); // three single-turn scenarios and a conversation each
    }

    [Fact]
    public async Task Run_ProcessAgentAnswerBroken_ExitsOneAndTheBaselineCallsItRegressed()
    {
        var folder = CopyExample("python-agent");
        Assert.Equal(0, await Run(folder));
        Assert.Equal(0, await Evalh("baseline", "bless", "latest", "--reports", Path.Combine(folder, "reports")));

        // The model's traffic is unchanged, but the agent no longer keeps its reservations: its end state is wrong.
        Edit(Path.Combine(folder, "agent.py"), "\"reservations\": library.reservations", "\"reservations\": []");
        Out.GetStringBuilder().Clear();
        var exit = await Run(folder);

        Assert.Equal(1, exit);
        var output = Out.ToString();
        Assert.Contains("1/4 passed", output, StringComparison.Ordinal);
        Assert.Contains("3 regressed, 0 fixed", output, StringComparison.Ordinal);
        Assert.Contains("reservations.count is 0, expected 1.", output, StringComparison.Ordinal);
    }
}
