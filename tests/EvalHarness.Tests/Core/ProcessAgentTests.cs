using System.Diagnostics;
using EvalHarness.Core.Application;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>
/// A process agent that misbehaves ends its own case with a clear error; every other case still runs, and the run's
/// results and reports are complete (exit code 2: the run could not be judged whole).
/// </summary>
public sealed class ProcessAgentTests : IDisposable
{
    /// <summary>An agent that does, per scenario, one of the things a broken agent does. It never calls the model.</summary>
    private const string Agent = """
        import json, sys, time
        case = json.loads(sys.stdin.read())
        what = case["scenario"]
        if what != "says-nothing":
            print("starting " + what)
        if what == "answers":
            print(json.dumps({"output": "fine, " + case["input"], "state": {"vars": case["vars"]}, "counters": {"retries": 2}}))
        elif what == "crashes":
            print("boom: the database is gone", file=sys.stderr)
            sys.exit(3)
        elif what == "prints-prose":
            print("All done, thank you!")
        elif what == "prints-broken-json":
            print('{"output": "half')
        elif what == "forgets-output":
            print(json.dumps({"answer": "42"}))
        elif what == "says-nothing":
            pass
        elif what == "leaves-a-child":
            # A process left behind that holds the output pipe open long after the agent has answered.
            import subprocess
            subprocess.Popen(["sleep", "300"])
            print(json.dumps({"output": "answered"}))
        elif what == "hangs":
            sys.stdout.flush()
            time.sleep(60)
        """;

    private const string Suite = """
        suite: misbehaving
        agent:
          model: openai:gpt-4o-mini
          command: [python3, agent.py]
          timeout_s: 60
        scenarios:
          - { name: answers, input: "hi", vars: { tier: gold }, expect: { output: { contains: [fine] }, state: { vars.tier: gold }, counters: { retries: 2 } } }
          - { name: crashes, input: "hi" }
          - { name: prints-prose, input: "hi" }
          - { name: prints-broken-json, input: "hi" }
          - { name: forgets-output, input: "hi" }
          - { name: says-nothing, input: "hi" }
        """;

    /// <summary>One case that never ends: its limit is short, and only the hanging case is held to it.</summary>
    private const string HangingSuite = """
        suite: hanging
        agent:
          model: openai:gpt-4o-mini
          command: [python3, agent.py]
          timeout_s: 1.5
        scenarios:
          - { name: hangs, input: "hi" }
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<SuiteEvaluationResult> RunAsync(string suite)
    {
        _temp.Write("agent.py", Agent);
        Directory.CreateDirectory(_temp.Combine("cassettes"));
        return Evaluation.RunAsync(
            _temp.Write("suite.yaml", suite),
            new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") },
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Run_AgentsThatMisbehave_AreCaseErrorsWithTheirReasonAndTheRestIsReported()
    {
        var result = await RunAsync(Suite);

        Assert.Equal(2, result.ExitCode);
        var cases = result.Run.Cases.ToDictionary(c => c.Scenario);
        Assert.Equal(6, cases.Count);
        Assert.True(cases["answers"].Passed, cases["answers"].Error ?? string.Join("; ", cases["answers"].Verdicts.Select(v => v.Reason)));
        Assert.Equal("fine, hi", cases["answers"].FinalOutput);
        Assert.Equal("starting answers", cases["answers"].Log);
        Assert.Equal("The agent process exited with code 3; the last line it wrote to standard error: boom: the database is gone", cases["crashes"].Error);
        Assert.Equal(("failed", "The agent gave no answer."), (cases["crashes"].Outcome, cases["crashes"].OutcomeReason));
        Assert.Equal("starting crashes\nboom: the database is gone", cases["crashes"].Log);
        Assert.Equal(
            "The agent process printed no JSON answer: its last line must be one JSON object such as {\"output\": \"…\"}, but it was All done, thank you!",
            cases["prints-prose"].Error);
        Assert.StartsWith("The last line of the agent's output is not valid JSON (", cases["prints-broken-json"].Error, StringComparison.Ordinal);
        Assert.EndsWith("): {\"output\": \"half", cases["prints-broken-json"].Error, StringComparison.Ordinal);
        Assert.Equal("The agent's answer has no \"output\" string: {\"answer\": \"42\"}", cases["forgets-output"].Error);
        Assert.StartsWith("The agent process printed nothing: it must print its answer as one JSON object", cases["says-nothing"].Error, StringComparison.Ordinal);
        Assert.All(cases.Values.Where(c => c.Scenario != "answers"), c => Assert.False(c.Passed));

        // Nothing is lost: every case is in every report.
        var html = await File.ReadAllTextAsync(Path.Combine(result.ReportDirectory!, "report.html"), TestContext.Current.CancellationToken);
        var junit = await File.ReadAllTextAsync(Path.Combine(result.ReportDirectory!, "junit.xml"), TestContext.Current.CancellationToken);
        Assert.All(cases.Keys, name =>
        {
            Assert.Contains($"misbehaving/default/{name}/t1", junit, StringComparison.Ordinal);
            Assert.Contains($"id=\"case-misbehaving-default-{name}-t1\"", html, StringComparison.Ordinal);
        });
        Assert.Contains("The agent process exited with code 3; the last line it wrote to standard error: boom: the database is gone", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[node, -e, \"throw new TypeError('the order id is missing')\"]", "TypeError: the order id is missing (at [eval]:1:7)")]
    [InlineData("[python3, -c, \"import atexit, sys; atexit.register(lambda: print('closing the session', file=sys.stderr)); raise ValueError('the order id is missing')\"]", "ValueError: the order id is missing")]
    public async Task Run_AgentCrashesWithAnUncaughtError_TheCaseErrorNamesTheErrorNotTheTrailingBanner(string command, string shown)
    {
        // Node ends its standard error with "Node.js v20.x" after the stack; a Python agent's exit handlers may write after its traceback.
        var result = await RunAsync(Suite.Replace("[python3, agent.py]", command, StringComparison.Ordinal));

        var crashes = result.Run.Cases.Single(c => c.Scenario == "crashes");
        Assert.Equal($"The agent process exited with code 1; the error it wrote to standard error: {shown}", crashes.Error);
        Assert.Contains("the order id is missing", crashes.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AgentHangsPastItsTimeout_IsStoppedAndIsACaseError()
    {
        var result = await RunAsync(HangingSuite);

        Assert.Equal(2, result.ExitCode);
        var hangs = Assert.Single(result.Run.Cases);
        Assert.Equal("The agent process did not finish within its 1.5 s (agent.timeout_s) and was stopped.", hangs.Error);
        Assert.Equal("timed_out", hangs.Outcome);
        var html = await File.ReadAllTextAsync(Path.Combine(result.ReportDirectory!, "report.html"), TestContext.Current.CancellationToken);
        Assert.Contains("did not finish within its 1.5 s", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AgentLeavesAProcessBehindHoldingItsOutput_TheCaseEndsWithItsAnswer()
    {
        // Without a bound on reading the output, the case would wait for the child's 300 s; the token stops a hang.
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromSeconds(90));
        _temp.Write("agent.py", Agent);
        Directory.CreateDirectory(_temp.Combine("cassettes"));

        var result = await Evaluation.RunAsync(
            _temp.Write("suite.yaml", Suite.Replace("- { name: answers,", "- { name: leaves-a-child, input: hi }\n  - { name: answers,", StringComparison.Ordinal)),
            new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports"), Filters = ["leaves-a-child"] },
            guard.Token);

        var leaves = Assert.Single(result.Run.Cases);
        Assert.Null(result.Run.Interrupted);
        Assert.True(leaves.Passed, leaves.Error);
        Assert.Equal("answered", leaves.FinalOutput);
    }

    [Theory]
    [InlineData("answers", "sleep 300 > /dev/null 2>&1 &\necho $! > grandchild.pid\necho '{\"output\": \"answered\"}'", null)]
    [InlineData("answers-detached", "(sleep 300 > /dev/null 2>&1 & echo $! > grandchild.pid)\necho '{\"output\": \"answered\"}'", null)]
    [InlineData("hangs-detached", "(sleep 300 > /dev/null 2>&1 & echo $! > grandchild.pid)\nsleep 60", "timed_out")]
    public async Task Run_AgentLeavesABackgroundProcess_ItIsStoppedWithTheCase(string scenario, string script, string? outcome)
    {
        // A grandchild whose parent has exited (the subshell, or the agent itself) is no longer in the agent's process
        // tree: only the agent's own session or group still holds it.
        _temp.Write("agent.sh", script + "\n");
        Directory.CreateDirectory(_temp.Combine("cassettes"));
        var suite = $$"""
            suite: background
            agent:
              model: openai:gpt-4o-mini
              command: [sh, agent.sh]
              timeout_s: 1.5
            scenarios:
              - { name: {{scenario}}, input: "hi" }
            """;

        var result = await Evaluation.RunAsync(
            _temp.Write("suite.yaml", suite),
            new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") },
            TestContext.Current.CancellationToken);

        var run = Assert.Single(result.Run.Cases);
        Assert.Equal(outcome ?? "completed", run.Outcome);
        var pid = int.Parse(File.ReadAllText(_temp.Combine("grandchild.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // The signal is sent as the case ends; the process takes a moment to go.
            var gone = Stopwatch.StartNew();
            while (IsRunning(pid) && gone.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Assert.False(IsRunning(pid), $"the agent's background process {pid} (sleep 300) is still running after its case ended");
        }
        finally
        {
            if (IsRunning(pid))
            {
                Process.GetProcessById(pid).Kill();
            }
        }
    }

    /// <summary>Whether a process is alive: an exited one not yet reaped (a zombie, here where pid 1 may not reap) is not.</summary>
    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat") is var stat && stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';

    /// <summary>An agent that picks its own model and provider per scenario, and reports what the harness told it.</summary>
    private const string ModelChoosingAgent = """
        import json, os, sys, urllib.request
        case = json.loads(sys.stdin.read())
        content = [{"role": "user", "content": case["input"]}]
        if case["scenario"] == "on-anthropic":
            url, body = os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages", {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": content}
        else:
            url, body = os.environ["OPENAI_BASE_URL"] + "/chat/completions", {"model": "gpt-4o-mini", "messages": content}
        headers = {"content-type": "application/json", "authorization": "Bearer " + os.environ["OPENAI_API_KEY"], "x-api-key": os.environ["ANTHROPIC_API_KEY"], "anthropic-version": "2023-06-01"}
        answer = json.load(urllib.request.urlopen(urllib.request.Request(url, json.dumps(body).encode(), headers)))
        text = answer["content"][0]["text"] if "content" in answer else answer["choices"][0]["message"]["content"]
        print(json.dumps({"output": text, "state": {"evalh_model": os.environ.get("EVALH_MODEL", "unset")}}))
        """;

    [Fact]
    public async Task Run_ProcessAgentWithNoModelInTheSuite_TakesProviderModelAndCostFromItsTraffic()
    {
        // The agent chooses its model: the suite names none, both base URLs are set, and the reports name what it called.
        _temp.Write("agent.py", ModelChoosingAgent);
        _temp.Write("scripts/chooses.yaml", """
            default:
              on-openai: [{ text: "Hello from OpenAI." }]
              on-anthropic: [{ text: "Hello from Anthropic." }]
            """);
        var suite = _temp.Write("suite.yaml", """
            suite: chooses
            agent:
              command: [python3, agent.py]
            scenarios:
              - { name: on-openai, input: "hi", expect: { output: { contains: [OpenAI] }, state: { evalh_model: unset } } }
              - { name: on-anthropic, input: "hi", expect: { output: { contains: [Anthropic] }, state: { evalh_model: unset } } }
            """);
        var options = new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") };

        var recorded = await Evaluation.RunAsync(suite, options with { Upstream = "scripted" }, TestContext.Current.CancellationToken);
        var replayed = await Evaluation.RunAsync(suite, options, TestContext.Current.CancellationToken);

        foreach (var result in new[] { recorded, replayed })
        {
            Assert.Equal(0, result.ExitCode);
            var cases = result.Run.Cases.ToDictionary(c => c.Scenario);
            Assert.All(cases.Values, c => Assert.True(c.Passed, c.Error ?? string.Join("; ", c.Verdicts.Where(v => !v.Passed).Select(v => v.Reason))));
            Assert.Equal(("openai:gpt-4o-mini", "anthropic:claude-haiku-4-5"), (cases["on-openai"].Model, cases["on-anthropic"].Model));
            Assert.All(cases.Values, c => Assert.True(c.CostUsd > 0, $"{c.Scenario} has no cost: {c.CostUsd}"));
        }
    }

    [Fact]
    public async Task Run_ProcessAgent_GetsEveryProvidersBaseUrlAndEveryKeyVariableItsClientReads()
    {
        // Gemini's SDK reads GOOGLE_API_KEY before GEMINI_API_KEY: both hold the replay's placeholder, so a key in the
        // user's own shell under either name is never what the agent sends.
        _temp.Write("agent.py", """
            import json, os, sys
            sys.stdin.read()
            names = ["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "AZURE_OPENAI_ENDPOINT", "GOOGLE_GEMINI_BASE_URL", "OLLAMA_HOST",
                     "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"]
            print(json.dumps({"output": json.dumps({n.lower(): os.environ.get(n, "unset") for n in names})}))
            """);
        Directory.CreateDirectory(_temp.Combine("cassettes"));
        var suite = _temp.Write("suite.yaml", """
            suite: env
            agent:
              model: gemini:gemini-2.0-flash
              command: [python3, agent.py]
            scenarios:
              - { name: reads, input: "hi" }
            """);

        var result = await Evaluation.RunAsync(
            suite,
            new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") },
            TestContext.Current.CancellationToken);

        var reads = Assert.Single(result.Run.Cases);
        Assert.True(reads.Error is null, reads.Error);
        using var seen = System.Text.Json.JsonDocument.Parse(reads.FinalOutput);
        string Read(string name) => seen.RootElement.GetProperty(name).GetString()!;
        Assert.EndsWith("/c/env/default/reads/t1/v1", Read("openai_base_url"), StringComparison.Ordinal);
        Assert.All(["anthropic_base_url", "azure_openai_endpoint", "google_gemini_base_url", "ollama_host"],
            name => Assert.EndsWith("/c/env/default/reads/t1", Read(name), StringComparison.Ordinal));
        Assert.All(["openai_api_key", "anthropic_api_key", "azure_openai_api_key", "gemini_api_key", "google_api_key"],
            name => Assert.Equal("evalh-replay-no-key", Read(name)));
    }

    [Fact]
    public async Task Run_AgentClosesItsInputUnreadThenExits_IsReportedByItsExitCodeNotAsATimeOut()
    {
        // The input is larger than a pipe holds, so writing it fails while the agent is still running: it has not
        // run out of time, and its exit says what happened.
        _temp.Write("agent.sh", "exec 0<&-\nsleep 0.5\necho 'no input wanted' >&2\nexit 4\n");
        Directory.CreateDirectory(_temp.Combine("cassettes"));
        var suite = _temp.Write("suite.yaml", $$"""
            suite: unread
            agent:
              model: openai:gpt-4o-mini
              command: [sh, agent.sh]
              timeout_s: 30
            scenarios:
              - { name: closes, input: "hi", vars: { big: "{{new string('x', 200_000)}}" } }
            """);

        var result = await Evaluation.RunAsync(
            suite,
            new EvaluationOptions { CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") },
            TestContext.Current.CancellationToken);

        var closes = Assert.Single(result.Run.Cases);
        Assert.Equal("The agent process exited with code 4; the last line it wrote to standard error: no input wanted", closes.Error);
        Assert.Equal("failed", closes.Outcome);
    }

    [Fact]
    public async Task Run_CommandNotFound_IsACaseErrorThatNamesTheCommand()
    {
        var result = await RunAsync(Suite.Replace("[python3, agent.py]", "[evalh-no-such-program, agent.py]", StringComparison.Ordinal));

        Assert.Equal(2, result.ExitCode);
        Assert.All(result.Run.Cases, c => Assert.StartsWith("The agent command 'evalh-no-such-program' could not be started (", c.Error, StringComparison.Ordinal));
    }
}
