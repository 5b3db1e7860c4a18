using System.Text.Json;
using EvalHarness.Cli;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

public sealed class ProcessStatsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void WriteIfAsked_WithTheVariableSet_AppendsOneJsonLinePerProcess()
    {
        var file = _temp.Combine("stats.jsonl");
        Environment.SetEnvironmentVariable(ProcessStats.Variable, file);
        try
        {
            ProcessStats.Mark("suiteLoaded");
            ProcessStats.WriteIfAsked(["run", "suites/support.yaml"], 1);
            ProcessStats.WriteIfAsked(["gate", "latest"], 0);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ProcessStats.Variable, null);
        }

        var lines = File.ReadAllLines(file);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var stats = first.RootElement;
        Assert.Equal(["run", "suites/support.yaml"], stats.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(1, stats.GetProperty("exitCode").GetInt32());
        Assert.True(stats.GetProperty("phasesEndedAtMs").GetProperty("suiteLoaded").GetDouble() > 0);
        Assert.True(stats.GetProperty("peakWorkingSetBytes").GetInt64() > 1_000_000);
        Assert.True(stats.GetProperty("wallMs").GetDouble() >= stats.GetProperty("phasesEndedAtMs").GetProperty("suiteLoaded").GetDouble());
    }
}
