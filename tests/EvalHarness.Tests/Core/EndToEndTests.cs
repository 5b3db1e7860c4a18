using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>A whole suite recorded from the scripted upstream, replayed, scored: real Kestrel and the real OpenAI SDK throughout.</summary>
public sealed class EndToEndTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Suite Support => SuiteLoader.Load(Path.Combine(RepoPaths.Suites, "support.yaml"));

    private async Task<RunResult> RecordAsync(Suite suite)
    {
        var book = ScriptBook.Load(ScriptBook.DefaultPathFor(suite), suite);
        await using var upstream = await ScriptedUpstream.StartAsync((id, prompt) => book.Find(id, prompt), Ct);
        return await EvalRunner.RunAsync(suite, new RunOptions
        {
            CassetteDirectory = _temp.Path,
            Mode = RecordMode.All,
            Upstream = upstream.UpstreamTemplate,
            RecordedFrom = "scripted",
        }, Ct);
    }

    /// <summary>Everything a case reports except the harness's own wall time, which varies by machine and moment.</summary>
    private static IEnumerable<object> Comparable(RunResult run) => run.Cases.Select(r => new
    {
        r.CassetteId, r.Passed, r.Outcome, r.OutcomeReason, r.FinalOutput, r.Steps, r.ToolCallCount, r.ToolErrors,
        r.InputTokens, r.OutputTokens, r.CostUsd, r.ModelLatencyMs, r.Error,
        Verdicts = string.Join("|", r.Verdicts), ToolCalls = string.Join("|", r.ToolCalls), Transcript = string.Join("|", r.Transcript),
    });

    [Fact]
    public async Task RecordThenReplay_SupportSuite_GivesIdenticalResults()
    {
        var suite = Support;
        var recorded = await RecordAsync(suite);
        var replayed = await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = _temp.Path }, Ct);

        Assert.Equal("record (all)", recorded.Mode);
        Assert.Equal("replay", replayed.Mode);
        Assert.Equal(suite.Scenarios.Count * suite.Variants.Count, replayed.Cases.Count);
        Assert.All(replayed.Cases, c => Assert.True(c.Passed, $"{c.CassetteId}: {c.Error} {string.Join("; ", c.Verdicts.Where(v => !v.Passed).Select(v => v.Reason))}"));
        Assert.Equal(Comparable(recorded), Comparable(replayed));
        Assert.Equal(ExitCodes.Ok, ExitCodes.For(replayed));
        Assert.All(replayed.Cases, c => Assert.True(c.ModelLatencyMs > 0 && c.InputTokens > 0 && c.CostUsd > 0));
    }

    [Fact]
    public async Task RecordThenReplay_VariantsNamedLikeProviderPaths_EachFindsItsOwnCassettes()
    {
        // Names a provider's path holds: the cassette id ends where the protocol's path begins, found from the end of the
        // URL, so variant v1's cases are not cut at their first /v1/ (they were: every case of v1 answered 404).
        string[] names = ["v1", "v2", "openai", "api", "v1beta"];
        var support = Support;
        var suite = support with { Variants = [.. names.Select((name, i) => support.Variants[i % support.Variants.Count] with { Name = name })] };

        var recorded = await RecordAsync(suite);
        var replayed = await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = _temp.Path }, Ct);

        Assert.Equal(suite.Scenarios.Count * names.Length, replayed.Cases.Count);
        Assert.All(replayed.Cases, c => Assert.True(c.Passed, $"{c.CassetteId}: {c.Error} {string.Join("; ", c.Verdicts.Where(v => !v.Passed).Select(v => v.Reason))}"));
        Assert.Equal(Comparable(recorded), Comparable(replayed));
        Assert.All(names, name => Assert.NotEmpty(Directory.GetFiles(Path.Combine(_temp.Path, "support", name), "*.json", SearchOption.AllDirectories)));
    }

    [Fact]
    public async Task Replay_CommittedExampleCassettes_AllPass()
    {
        var run = await EvalRunner.RunAsync(Support, new RunOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);

        Assert.All(run.Cases, c => Assert.True(c.Passed, $"{c.CassetteId}: {c.Error}"));
        Assert.Equal(run.Cases.Count, run.Summary.Passed);
        var refund = run.Cases.Single(c => c.Scenario == "refund-with-email-confirmation" && c.Variant == "default");
        Assert.Equal(["orders.lookup_order", "orders.refund_order", "mail.send_email"], refund.ToolCalls.Select(t => t.Tool));
        Assert.Equal([1, 2, 2], refund.ToolCalls.Select(t => t.Step));
    }

    [Fact]
    public async Task Replay_CassetteDeleted_IsAnInputErrorNamingIt()
    {
        RepoPaths.CopyTree(RepoPaths.Cassettes, _temp.Path);
        File.Delete(Path.Combine(_temp.Path, "support", "default", "order-status.t1.json"));

        var run = await EvalRunner.RunAsync(Support, new RunOptions { CassetteDirectory = _temp.Path }, Ct);

        var broken = Assert.Single(run.Cases, c => !c.Passed);
        Assert.Equal("support/default/order-status/t1", broken.CassetteId);
        Assert.Contains("cassette 'support/default/order-status/t1' not found", broken.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.Summary.Errors);
        Assert.Equal(ExitCodes.InputError, ExitCodes.For(run));
    }

    [Fact]
    public async Task Replay_ExpectationNoLongerMet_FailsWithTheReason()
    {
        var suite = Support;
        var strict = suite with
        {
            Scenarios = [.. suite.Scenarios.Select(s => s.Name == "order-status" ? s with { Expect = s.Expect with { OutputContains = ["delivered"] } } : s)],
        };

        var run = await EvalRunner.RunAsync(strict, new RunOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);

        var failed = run.Cases.Where(c => !c.Passed).ToList();
        Assert.Equal(["default", "streaming", "haiku"], failed.Select(c => c.Variant));
        Assert.All(failed, f => Assert.Null(f.Error));
        Assert.All(failed, f => Assert.Contains(f.Verdicts, v => !v.Passed && v.Reason.StartsWith("The output does not contain \"delivered\"", StringComparison.Ordinal)));
        Assert.Equal(ExitCodes.Failed, ExitCodes.For(run));
    }

    [Fact]
    public async Task Record_ScriptMissingAScenario_IsAnInputErrorAndRecordsNothing()
    {
        var suite = Support;
        var partial = suite with { Scenarios = [.. suite.Scenarios.Take(1), suite.Scenarios[0] with { Name = "not-scripted" }] };
        var book = ScriptBook.Load(ScriptBook.DefaultPathFor(suite), suite);
        await using var upstream = await ScriptedUpstream.StartAsync((id, prompt) => book.Find(id, prompt), Ct);

        var run = await EvalRunner.RunAsync(partial, new RunOptions { CassetteDirectory = _temp.Path, Mode = RecordMode.All, Upstream = upstream.UpstreamTemplate }, Ct);

        var failed = run.Cases.First(c => c.Scenario == "not-scripted");
        Assert.Contains("the scripted upstream refused request #1: There is no script for cassette 'support/default/not-scripted/t1'", failed.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InputError, ExitCodes.For(run));
        Assert.False(File.Exists(Path.Combine(_temp.Path, "support", "default", "not-scripted.t1.json")));
    }

    [Fact]
    public async Task Record_ScriptAndExpectationsNameAToolEitherWay_BothMeanTheSameTool()
    {
        // The suite names calculator.evaluate; the model sees it as calculate. Either name works in the script and in expect.
        _temp.Write("scripts/calc.yaml", """
            default:
              by-suite-name:
                - tools: [{ calculator.evaluate: { expression: "2+3" } }]
                - text: "5"
              by-wire-name:
                - tools: [{ calculate: { expression: "4*5" } }]
                - text: "20"
            """);
        var suite = SuiteLoader.Load(_temp.Write("calc.yaml", """
            suite: calc
            agent: { model: "openai:gpt-4o-mini", system_prompt: "Use calculate.", tools: [calculator.evaluate] }
            scenarios:
              - name: by-suite-name
                input: "2+3?"
                expect: { tools: { called: [{ name: calculate, args: { expression: "2+3" } }], not_called: [calculate] } }
              - name: by-wire-name
                input: "4*5?"
                expect: { tools: { called: [{ name: calculator.evaluate, args: { expression: "4*5" } }], order: strict } }
            """));

        var run = await RecordAsync(suite);

        var byWireName = run.Cases.Single(c => c.Scenario == "by-wire-name");
        Assert.True(byWireName.Passed, string.Join("; ", byWireName.Verdicts.Where(v => !v.Passed).Select(v => v.Reason)));
        Assert.Equal("calculator.evaluate", Assert.Single(byWireName.ToolCalls).Tool);
        var bySuiteName = run.Cases.Single(c => c.Scenario == "by-suite-name");
        Assert.Equal(["tools.called: True", "tools.not_called: False"], bySuiteName.Verdicts.Where(v => v.Kind.StartsWith("tools.", StringComparison.Ordinal)).Select(v => $"{v.Kind}: {v.Passed}"));
    }

    [Fact]
    public async Task Replay_TeamSuite_AttributesSpecialistsWorkInTheTrace()
    {
        var run = await EvalRunner.RunAsync(SuiteLoader.Load(Path.Combine(RepoPaths.Suites, "team.yaml")), new RunOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);

        var both = run.Cases.Single(c => c.Scenario == "both-specialists-at-once");
        var specialists = both.Trace.Where(s => s.Kind == "agent").ToList();
        Assert.Equal(["billing", "shipping"], specialists.Select(s => s.Name));
        Assert.All(specialists, s => Assert.True(int.Parse(s.Tags["input_tokens"], System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.Contains(both.ToolCalls, t => t.Tool == "orders.refund_order" && t.Agent == "billing");
        Assert.Equal(2, both.Counters["delegations"]);
    }

    [Fact]
    public async Task Replay_SupportSuite_ApprovalPendingThenResumedCompletes()
    {
        var run = await EvalRunner.RunAsync(Support, new RunOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);

        var resumed = run.Cases.First(c => c.Scenario == "large-credit-approved-later");
        var waiting = run.Cases.First(c => c.Scenario == "large-credit-awaiting-approval");
        Assert.Equal(("completed", "awaiting_approval"), (resumed.Outcome, waiting.Outcome));
        Assert.Equal("ok", resumed.ToolCalls.Single(t => t.Tool == "orders.issue_credit").Status);
        Assert.DoesNotContain(waiting.ToolCalls, t => t.Tool == "orders.issue_credit");
    }

    [Fact]
    public async Task Replay_Twice_WritesTheSameResultsApartFromRunIdsAndWallClock()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var suite = SuiteLoader.Load(Path.Combine(RepoPaths.Suites, "team.yaml"));

        async Task<string> ReplayAsync(string reports)
        {
            var run = await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = RepoPaths.Cassettes }, Ct);
            var directory = await EvalHarness.Reports.RunWriter.WriteAsync(run, reports, Ct);
            var json = await File.ReadAllTextAsync(Path.Combine(directory, "results.json"), Ct);
            // What may differ: the run's id and start, the agents' run ids, and this machine's wall-clock measurements.
            return System.Text.RegularExpressions.Regex.Replace(json, "\"(runId|startedAt|durationMs|harnessMs|harnessP50Ms|harnessP95Ms|run_id)\": (\"[^\"]*\"|[0-9.]+)", "\"$1\": _");
        }

        var a = await ReplayAsync(first.Path);
        var b = await ReplayAsync(second.Path);

        Assert.Equal(a, b);
        Assert.Contains("\"latencyMs\": ", a, StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"agent\"", a, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FilterAndVariant_SelectCases()
    {
        var byName = await EvalRunner.RunAsync(Support, new RunOptions { CassetteDirectory = RepoPaths.Cassettes, Filters = ["*credit*"], Variants = ["haiku"] }, Ct);
        var byTag = await EvalRunner.RunAsync(Support, new RunOptions { CassetteDirectory = RepoPaths.Cassettes, Filters = ["tag:memory", "order-status"], Variants = ["default"] }, Ct);

        Assert.Equal(
            ["small-goodwill-credit", "large-credit-approved-later", "large-credit-denied", "large-credit-awaiting-approval"],
            byName.Cases.Select(c => c.Scenario));
        Assert.All(byName.Cases, c => Assert.Equal("haiku", c.Variant));
        Assert.Equal(["order-status", "remembers-customer-preference"], byTag.Cases.Select(c => c.Scenario));
    }

    [Fact]
    public async Task Run_Cancelled_KeepsTheFinishedCasesInOrder()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var finished = 0;
        var options = new RunOptions
        {
            CassetteDirectory = RepoPaths.Cassettes,
            Concurrency = 1,
            OnCaseCompleted = _ =>
            {
                if (Interlocked.Increment(ref finished) == 3)
                {
                    stop.Cancel();
                }
            },
        };

        var run = await EvalRunner.RunAsync(Support, options, stop.Token);

        Assert.Equal(3, run.Cases.Count);
        Assert.Equal(["refund-broken-item", "order-status", "list-customer-orders"], run.Cases.Select(c => c.Scenario));
        Assert.Equal($"Stopped by the user after 3 of {Support.Scenarios.Count * Support.Variants.Count} case(s).", run.Interrupted);
        Assert.Equal(ExitCodes.InputError, ExitCodes.For(run));
    }

    [Fact]
    public async Task Run_CasePastItsTimeout_IsAnError()
    {
        var run = await EvalRunner.RunAsync(Support, new RunOptions
        {
            CassetteDirectory = RepoPaths.Cassettes,
            Filters = ["refund-broken-item"],
            Variants = ["default"],
            Timing = EvalHarness.Cassettes.Server.ReplayTiming.Realistic, // the three answers take 1.56 s of recorded time
            CaseTimeout = TimeSpan.FromMilliseconds(200),
        }, Ct);

        var only = Assert.Single(run.Cases);
        Assert.Equal("The case did not finish within its 0.2 s limit (--case-timeout).", only.Error);
        Assert.False(only.Passed);
    }

    [Fact]
    public async Task Replay_JudgeRequestNoLongerMatches_IsAnErrorNotAFailure()
    {
        var path = Path.Combine(RepoPaths.Suites, "support.yaml");
        var yaml = (await File.ReadAllTextAsync(path, Ct)).Replace("names the order id and the amount.", "names the order id.", StringComparison.Ordinal);
        var suite = SuiteLoader.Parse(path, yaml);

        var run = await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = RepoPaths.Cassettes, Filters = ["refund-broken-item"], Variants = ["default"] }, Ct);

        var only = Assert.Single(run.Cases);
        Assert.Contains("cassette 'support/default/refund-broken-item/t1/judge'", only.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InputError, ExitCodes.For(run));
    }

    [Fact]
    public async Task Run_AnyConcurrency_KeepsSuiteOrder()
    {
        var one = await EvalRunner.RunAsync(Support, new RunOptions { CassetteDirectory = RepoPaths.Cassettes, Concurrency = 1 }, Ct);
        var many = await EvalRunner.RunAsync(Support, new RunOptions { CassetteDirectory = RepoPaths.Cassettes, Concurrency = 16 }, Ct);

        Assert.Equal(EvalCase.AllOf(Support).Select(c => c.CassetteId), many.Cases.Select(c => c.CassetteId));
        Assert.Equal(one.Cases.Select(c => (c.CassetteId, c.Passed, c.Steps, c.InputTokens)), many.Cases.Select(c => (c.CassetteId, c.Passed, c.Steps, c.InputTokens)));
    }
}
