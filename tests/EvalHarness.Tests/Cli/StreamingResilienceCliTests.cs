using System.Text.Json;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// The resilience example's faults (429 with Retry-After, 503 then 502, a dropped connection, a 400) replayed on
/// its streaming variant: retried exactly as on plain calls, because they come before the stream's first update.
/// </summary>
public sealed class StreamingResilienceCliTests : CliTest
{
    [Fact]
    public async Task Run_StreamingVariantWithRecordedFaults_RetriesAsPlainCallsDo()
    {
        var reports = Temp.Combine("reports");

        var exit = await Evalh(["run", Path.Combine(RepoPaths.Suites, "resilience.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", reports, "--filter", "tag:retry"]);

        Assert.True(exit == 0, $"exit {exit}\n{Out}\n{Error}");
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Assert.Single(Directory.GetDirectories(Path.Combine(reports, "runs"))), "results.json"), Ct));
        var variants = results.RootElement.GetProperty("groups").EnumerateArray()
            .Where(g => g.GetProperty("kind").GetString() == "variant")
            .ToDictionary(g => g.GetProperty("key").GetString()!, g => (Passed: g.GetProperty("passed").GetInt32(), Retries: g.GetProperty("retries").GetInt32()));
        Assert.Equal((5, 4), variants["default"]);
        Assert.Equal(variants["default"], variants["streaming"]);
    }
}
