using EvalHarness.Core.Application;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using EvalHarness.Xunit;

namespace EvalHarness.Tests.Xunit;

/// <summary>
/// The own-agent examples (a C# agent, a Python process, a Node process), replayed through the path a team uses:
/// <c>[SuiteCases]</c> for one test per case, and <see cref="Evaluation"/> for the run and its reports.
/// </summary>
public sealed class OwnAgentExampleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [SuiteCases("examples/dotnet-agent/suite.yaml")]
    [SuiteCases("examples/python-agent/suite.yaml")]
    [SuiteCases("examples/node-agent/suite.yaml")]
    [SuiteCases("examples/node-agent/tool-checks.yaml")]
    public Task Replays(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync(suite, cassettes, caseId);

    [Theory]
    [InlineData("dotnet-agent")]
    [InlineData("python-agent")]
    [InlineData("node-agent")]
    public async Task Evaluation_Example_ReportsToolCallsFromTrafficTokensCostLatencyAndTranscript(string example)
    {
        var folder = RepoPaths.Example(example);

        var result = await Evaluation.RunAsync(
            Path.Combine(folder, "suite.yaml"),
            new EvaluationOptions { CassetteDirectory = Path.Combine(folder, "cassettes"), ReportsDirectory = _temp.Path },
            TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(example == "dotnet-agent" ? 3 : 4, result.Run.Cases.Count); // the process examples also hold a conversation
        Assert.All(result.Run.Cases, c =>
        {
            // None of the examples reports its tool calls or usage: all of it comes from the recorded traffic.
            Assert.NotEmpty(c.ToolCalls);
            Assert.All(c.ToolCalls, t => Assert.NotEqual(string.Empty, t.Result));
            Assert.Equal(c.ToolCalls.Count, c.Trace.Count(s => s.Kind == "tool"));
            Assert.True(c.InputTokens > 0 && c.OutputTokens > 0, $"{c.CassetteId}: tokens {c.InputTokens}/{c.OutputTokens}");
            Assert.True(c.CostUsd > 0, $"{c.CassetteId}: cost {c.CostUsd}");
            // On recorded time a case takes what its model calls and its tool servers' answers took (the Node example's tools are servers).
            var serverMs = c.Trace.Where(s => s.Kind == "server").Sum(s => s.DurationMs);
            Assert.True(c.ModelLatencyMs > 0 && Math.Abs(c.LatencyMs - (c.ModelLatencyMs + serverMs)) < 0.15, $"{c.CassetteId}: latency {c.LatencyMs}");
            Assert.Equal(c.Steps, c.Trace.Count(s => s.Kind == "model"));
            Assert.Equal(["system", "user"], c.Transcript.Take(2).Select(m => m.Role));
            Assert.Equal(c.FinalOutput, c.Transcript[^1].Text);
        });

        var html = await File.ReadAllTextAsync(Path.Combine(result.ReportDirectory!, "report.html"), TestContext.Current.CancellationToken);
        Assert.Contains("<h3>Tool calls</h3>", html, StringComparison.Ordinal);
        Assert.Contains("<h3>Transcript</h3>", html, StringComparison.Ordinal);
        Assert.Contains("class=\"wf-bar k-model\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluation_PythonExample_ShowsWhatTheProcessPrintedAsItsLog()
    {
        var folder = RepoPaths.Example("python-agent");

        var result = await Evaluation.RunAsync(
            Path.Combine(folder, "suite.yaml"),
            new EvaluationOptions { CassetteDirectory = Path.Combine(folder, "cassettes"), ReportsDirectory = _temp.Path, Filters = ["on-loan"] },
            TestContext.Current.CancellationToken);

        var onLoan = Assert.Single(result.Run.Cases);
        Assert.Equal(
            "case python-agent/default/on-loan/t1: model gpt-4o-mini\nstep 1: calling tool search_books\nstep 2: calling tool reserve_book\nstep 3: answered",
            onLoan.Log);
        Assert.Equal([false, true], onLoan.ToolCalls.Select(t => t.IsError)); // reserve_book answered {"error": "… on loan"}
        var html = await File.ReadAllTextAsync(Path.Combine(result.ReportDirectory!, "report.html"), TestContext.Current.CancellationToken);
        Assert.Contains("<h3>Agent log</h3><pre class=\"agent-log\">case python-agent/default/on-loan/t1: model gpt-4o-mini", html, StringComparison.Ordinal);
    }
}
