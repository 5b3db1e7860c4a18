using System.Collections.Concurrent;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Application;
using EvalHarness.Core.Results;
using EvalHarness.Core.UnderTest;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Xunit;

namespace EvalHarness.Xunit;

/// <summary>Replays suites for xunit: each suite runs once (in parallel, as <c>evalh run</c> does) and each test case checks its own result.</summary>
public static class SuiteReplay
{
    // A run per suite, cassette folder and agent: the agent itself, not its description, which two agents may share.
    private static readonly ConcurrentDictionary<(string Suite, string Cassettes, OwnAgent? Agent), Lazy<Task<RunResult>>> Runs = new();

    // The agent of each AssertPassesAsync<TAgent>, made once so that every case of the type shares one run.
    private static readonly ConcurrentDictionary<Type, OwnAgent> Typed = new();

    // The agent of each Agent Framework factory, made once so that every case given the same delegate shares one run.
    private static readonly ConcurrentDictionary<Func<IChatClient, AIAgent>, OwnAgent> Framework = new();

    /// <summary>The replayed result of one case.</summary>
    /// <param name="suite">The suite file: absolute, or relative to the current folder or any folder above the test assembly.</param>
    /// <param name="cassettes">The cassette folder, found the same way.</param>
    /// <param name="caseId">The case, as <see cref="SuiteCasesAttribute"/> names it.</param>
    /// <param name="agent">The agent under test given in code, in place of the suite's; null for the suite's own.</param>
    public static async Task<CaseResult> RunAsync(string suite, string cassettes, string caseId, OwnAgent? agent = null)
    {
        var found = (Suite: SuiteCasesAttribute.Locate(suite, file: true), Cassettes: SuiteCasesAttribute.Locate(cassettes, file: false));
        var run = await Runs.GetOrAdd((found.Suite, found.Cassettes, agent), key => new Lazy<Task<RunResult>>(async () =>
            (await SuiteEvaluation.RunAsync(key.Suite, new EvaluationOptions { CassetteDirectory = key.Cassettes, Agent = key.Agent, Mode = RecordMode.None }, publisher: null)).Run)).Value;
        return run.Cases.SingleOrDefault(c => c.CassetteId == caseId)
            ?? throw new InvalidOperationException($"{suite} has no case '{caseId}' (was it renamed since discovery?).");
    }

    /// <summary>
    /// Replays a case and fails the test when it did not pass: a case that could not be judged (a cassette miss, an agent
    /// that gave no answer) says so first, with its errors; a regression lists every failed assertion's reason.
    /// </summary>
    public static async Task AssertPassesAsync(string suite, string cassettes, string caseId, OwnAgent? agent = null)
    {
        var result = await RunAsync(suite, cassettes, caseId, agent);
        if (result.Passed)
        {
            return;
        }

        var newLine = $"{Environment.NewLine}  - ";
        if (result.Error is { } error)
        {
            // Not a regression (nothing was judged): a miss is fixed by re-recording a change that was meant, or by fixing the agent.
            var why = error.Contains("cassette '", StringComparison.Ordinal)
                ? "its requests no longer match its recording (a cassette miss: nothing was judged)"
                : "the agent gave no answer (nothing was judged)";
            Assert.Fail($"{caseId} could not be judged: {why}{newLine}{string.Join(newLine, error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')))}");
        }

        var failed = result.Verdicts.Where(v => !v.Passed).Select(v => $"{v.Kind}: {v.Reason}").ToList();
        Assert.Fail($"{caseId} failed {failed.Count} assertion(s) (the run ended {result.Outcome}: {result.OutcomeReason}){newLine}{string.Join(newLine, failed)}");
    }

    /// <summary>Replays a case against <typeparamref name="TAgent"/> (one instance per case), in place of the suite's agent.</summary>
    public static Task AssertPassesAsync<TAgent>(string suite, string cassettes, string caseId)
        where TAgent : IAgentUnderTest, new() =>
        AssertPassesAsync(suite, cassettes, caseId, Typed.GetOrAdd(typeof(TAgent), type => OwnAgent.FromFactory(() => new TAgent(), $"dotnet: {type.FullName}")));

    /// <summary>
    /// Replays a case against a Microsoft Agent Framework agent as it is, in place of the suite's agent: <paramref name="agent"/>
    /// builds one per case on the case's chat client, e.g. <c>chatClient =&gt; new SupportAgent(chatClient)</c>. Cases given the
    /// same delegate (a lambda that captures nothing, or a static method) share one run of the suite.
    /// </summary>
    /// <param name="suite">The suite file, found as <see cref="RunAsync"/> finds it.</param>
    /// <param name="cassettes">The cassette folder, found the same way.</param>
    /// <param name="caseId">The case, as <see cref="SuiteCasesAttribute"/> names it.</param>
    /// <param name="agent">Builds the agent on the chat client the harness points at the case's cassette.</param>
    public static Task AssertPassesAsync(string suite, string cassettes, string caseId, Func<IChatClient, AIAgent> agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return AssertPassesAsync(suite, cassettes, caseId, Framework.GetOrAdd(agent, f => OwnAgent.FromAIAgent(f)));
    }
}
