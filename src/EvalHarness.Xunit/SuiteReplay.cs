using System.Collections.Concurrent;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using Xunit;

namespace EvalHarness.Xunit;

/// <summary>Replays suites for xunit: each suite runs once (in parallel, as <c>evalh run</c> does) and each test case checks its own result.</summary>
public static class SuiteReplay
{
    private static readonly ConcurrentDictionary<(string Suite, string Cassettes), Lazy<Task<RunResult>>> Runs = new();

    /// <summary>The replayed result of one case.</summary>
    public static async Task<CaseResult> RunAsync(string suite, string cassettes, string caseId)
    {
        var run = await Runs.GetOrAdd((suite, cassettes), key => new Lazy<Task<RunResult>>(() =>
            EvalRunner.RunAsync(SuiteLoader.Load(key.Suite), new RunOptions { CassetteDirectory = key.Cassettes }))).Value;
        return run.Cases.SingleOrDefault(c => c.CassetteId == caseId)
            ?? throw new InvalidOperationException($"{suite} has no case '{caseId}' (was it renamed since discovery?).");
    }

    /// <summary>Replays a case and fails the test with every failed assertion's reason (or the cassette error) when it did not pass.</summary>
    public static async Task AssertPassesAsync(string suite, string cassettes, string caseId)
    {
        var result = await RunAsync(suite, cassettes, caseId);
        if (result.Passed)
        {
            return;
        }

        var reasons = result.Error is { } error
            ? [error]
            : result.Verdicts.Where(v => !v.Passed).Select(v => $"{v.Kind}: {v.Reason}").ToList();
        Assert.Fail($"{caseId} failed ({result.Outcome}: {result.OutcomeReason}){Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", reasons)}");
    }
}
