using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using EvalHarness.Agents.Providers;
using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.MultiAgent;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Assertions;
using EvalHarness.Core.Pricing;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.Core.Toolkits;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Running;

/// <summary>
/// Runs a suite: every scenario under every variant for every trial, each case against its own
/// cassette through one <see cref="CassetteServer"/>, scored and collected in suite order.
/// </summary>
public static class EvalRunner
{
    /// <summary>The API key replay sends: the cassette server needs none, and no real key is ever needed to replay.</summary>
    private const string ReplayKey = "evalh-replay-no-key";

    /// <summary>Runs <paramref name="suite"/> and returns its results.</summary>
    public static async Task<RunResult> RunAsync(Suite suite, RunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(options);
        var startedAt = options.Time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var cases = Expand(suite).Where(c => options.Selects(c)).ToList();

        await using var server = await CassetteServer.StartAsync(
            new CassetteServerOptions
            {
                CassetteDirectory = options.CassetteDirectory,
                Mode = options.Mode,
                Upstream = options.Upstream,
                RecordedFrom = options.RecordedFrom,
                Match = options.Match,
                Timing = options.Timing,
                IgnoredRequestPaths = options.IgnoredRequestPaths,
                Scrubbers = options.Scrubbers,
                AnthropicUpstream = options.AnthropicUpstream,
                Secrets = [.. options.ApiKeys.Values, .. options.ApiKey is { } key ? [key] : Array.Empty<string>()],
            },
            cancellationToken);
        var latency = new RecordedLatencyHandler(new SocketsHttpHandler { MaxConnectionsPerServer = 512 });
        using var http = new HttpClient(latency) { Timeout = TimeSpan.FromMinutes(5) };

        // One OpenAI SDK pipeline per key for the whole run: the cases' clients differ only in their cassette URL.
        var pipelines = new ConcurrentDictionary<string, ClientPipeline>(StringComparer.Ordinal);
        ClientPipeline OpenAIPipeline(string key) => pipelines.GetOrAdd(key, k => OpenAIChatClient.Pipeline(k, http));

        var results = new CaseResult?[cases.Count];
        var interrupted = false;
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, cases.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = cancellationToken },
                async (index, ct) =>
                {
                    var result = await RunCaseAsync(suite, cases[index], server, http, OpenAIPipeline, latency, options, ct);
                    if (ct.IsCancellationRequested && result.Outcome == nameof(AgentOutcome.Cancelled))
                    {
                        return; // stopped half-way: not a result
                    }

                    // With a spool, the case's details go to disk now and only its summary stays in memory.
                    results[index] = options.Spool?.Add(result) ?? result;
                    options.OnCaseCompleted?.Invoke(results[index]!);
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: keep what finished, in order.
            interrupted = true;
        }

        var finished = results.OfType<CaseResult>().ToList();

        return new RunResult
        {
            RunId = NewRunId(startedAt, suite.Name),
            Suite = suite.Name,
            SuiteFile = suite.FilePath,
            Mode = options.Mode == RecordMode.None ? "replay" : $"record ({RecordModes.Name(options.Mode)})",
            StartedAt = startedAt,
            DurationMs = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
            PricingVersion = PricingTable.Default.Version,
            Git = options.Git ?? GitInfo.Probe(Path.GetDirectoryName(Path.GetFullPath(suite.FilePath))!),
            Summary = RunSummary.Of(finished),
            Groups = Statistics.GroupSummary.Of(finished),
            Interrupted = interrupted ? $"Stopped by the user after {finished.Count} of {cases.Count} case(s)." : null,
            Shard = options.Shard is { } shard ? $"{shard.Index}/{shard.Count}" : null,
            Selection = options.Filters.Count + options.Variants.Count == 0 ? null
                : string.Join(' ', options.Filters.Select(f => $"--filter {f}").Concat(options.Variants.Select(v => $"--variant {v}"))),
            Cases = finished,
            Spool = options.Spool,
        };
    }

    /// <summary>The cases of a suite in their fixed order: variant, scenario, trial.</summary>
    public static IReadOnlyList<EvalCase> Expand(Suite suite) =>
        [.. (from variant in suite.Variants
            from scenario in suite.Scenarios
            from trial in Enumerable.Range(1, suite.Trials)
            select new EvalCase(variant, scenario, trial, $"{suite.Name}/{variant.Name}/{scenario.Name}/t{trial}"))
            .Select((c, i) => c with { Index = i })];

    private static async Task<CaseResult> RunCaseAsync(
        Suite suite, EvalCase evalCase, CassetteServer server, HttpClient http, Func<string, ClientPipeline> openAIPipeline,
        RecordedLatencyHandler latency, RunOptions options, CancellationToken cancellationToken)
    {
        var config = evalCase.Variant.Agent;
        var scenario = evalCase.Scenario;
        using var environment = CaseEnvironment.Create(suite.Fixtures, scenario.Memories);
        var qualified = ExpectationParser.Callable(config)
            .Where(name => ToolCatalog.Names.Contains(name))
            .Distinct()
            .ToDictionary(ToolCatalog.WireName, name => name, StringComparer.Ordinal);
        var endpoint = new Uri(server.BaseAddressFor(evalCase.CassetteId), "v1");
        var apiKey = options.Mode == RecordMode.None ? ReplayKey : options.ApiKey ?? ReplayKey;
        using var client = new TimedChatClient(config.Model.Provider == "anthropic"
            ? AnthropicChatClientFactory.Create(server.BaseAddressFor(evalCase.CassetteId), options.ApiKeys.GetValueOrDefault("anthropic", apiKey), config.Model.Model, http)
            : new OpenAIChatClient(endpoint, openAIPipeline(options.ApiKeys.GetValueOrDefault("openai", apiKey)), config.Model.Model));

        // Replays (and scripted recordings) run on recorded time: a virtual clock moved by each model call's
        // recorded latency, so timeouts and spans come out the same on every replay, and backoff delays are
        // reported but not waited (the failures are already in the cassette).
        var recordedTime = options.Mode == RecordMode.None || options.RecordedFrom == "scripted";
        var skipDelays = recordedTime;
        var virtualClock = recordedTime ? new VirtualClock() : null;
        using var clockRegistration = virtualClock is null ? null : latency.Register(evalCase.CassetteId, virtualClock);
        TimeProvider time = virtualClock ?? options.Time;
        AgentOptions Build(AgentConfig c, string name) => new(c.Model.Model, c.SystemPrompt, ToolCatalog.Build(environment, c.Tools, c.Approvals), c.Limits)
        {
            Name = name,
            LoopDetection = c.LoopDetection,
            ToolOutput = c.ToolOutput,
            GuardArguments = c.Guard,
            Resilience = c.Retry is { } retry ? retry with { SkipDelays = skipDelays } : null,
            StructuredOutput = c.OutputSchema is { } schema ? new StructuredOutputOptions(schema, c.MaxRepairs) : null,
            Context = c.Context,
            Streaming = c.Streaming,
            SubAgents = [.. c.SubAgents.Select(sub => new SubAgent(sub.Name, sub.Description, Build(sub.Agent, sub.Name)))],
            ApprovalGate = (request, _) => ValueTask.FromResult(scenario.Approvals.GetValueOrDefault(qualified.GetValueOrDefault(request.Tool, request.Tool), ApprovalDecision.Pending)),
            Pricing = (modelId, usage) => PricingTable.Default.Cost(new ModelRef(c.Model.Provider, modelId), usage),
            Time = time,
        };

        using var caseTimeout = options.CaseTimeout is { } limit ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        caseTimeout?.CancelAfter(options.CaseTimeout!.Value);
        var outerToken = cancellationToken;
        cancellationToken = caseTimeout?.Token ?? cancellationToken;
        var clock = Stopwatch.StartNew();
        AgentRun run;
        if (config.Pipeline.Count > 0)
        {
            var stages = config.Pipeline.Select(name => Build(config.SubAgents.Single(s => s.Name == name).Agent, name)).ToList();
            run = await AgentPipeline.RunAsync(client, stages, scenario.Input, time, cancellationToken);
        }
        else
        {
            var agent = new Agent(client, Build(config, "agent"));
            run = await agent.RunAsync(scenario.Input, cancellationToken);
            if (run is { Outcome: AgentOutcome.AwaitingApproval, Checkpoint: { } checkpoint } && scenario.Resume.Count > 0)
            {
                // The scripted human decides later: the run resumes from its serialised checkpoint, as it would in production.
                var decisions = checkpoint.Pending.ToDictionary(
                    p => p.CallId,
                    p => scenario.Resume.GetValueOrDefault(qualified.GetValueOrDefault(p.Tool, p.Tool), ApprovalDecision.Pending));
                var resumed = await agent.ResumeAsync(AgentCheckpoint.FromJson(checkpoint.ToJson()), decisions, cancellationToken);
                run = resumed with { Trace = [.. run.Trace, .. resumed.Trace.Select(s => s with { Id = s.Id + run.Trace.Count, ParentId = s.ParentId == 0 ? 0 : s.ParentId + run.Trace.Count })] };
            }
        }

        var harnessMs = (clock.Elapsed - client.Elapsed).TotalMilliseconds;
        AssertionVerdict? judged = null;
        List<string> judgeMisses = [];
        if (scenario.Expect.Judge is { } judge && run.Outcome == AgentOutcome.Completed)
        {
            // The judge has a cassette of its own, so its calls never change the agent's latency or request order.
            var judgeId = $"{evalCase.CassetteId}/judge";
            using var judgeClient = config.Model.Provider == "anthropic"
                ? AnthropicChatClientFactory.Create(server.BaseAddressFor(judgeId), options.ApiKeys.GetValueOrDefault("anthropic", apiKey), judge.Model ?? config.Model.Model, http)
                : new OpenAIChatClient(new Uri(server.BaseAddressFor(judgeId), "v1"), openAIPipeline(options.ApiKeys.GetValueOrDefault("openai", apiKey)), judge.Model ?? config.Model.Model);
            judged = await Judge.ScoreAsync(judgeClient, judge with { Model = judge.Model ?? config.Model.Model }, scenario, run, [.. run.ToolCalls.Select(c => new ToolCallResult(c.Step, qualified.GetValueOrDefault(c.Name, c.Name), c.ArgumentsJson, c.Result, c.IsError))], CancellationToken.None);
            // A judge request that no longer matches its recording is an error of the case, like the agent's own.
            judgeMisses = (await server.TakeActivityAsync(judgeId, CancellationToken.None)).Misses.Select(m => m.Message).ToList();
        }

        var activity = await server.TakeActivityAsync(evalCase.CassetteId, CancellationToken.None);
        var modelLatencyMs = activity.Served.Sum(t => t.TotalMs);

        var toolCalls = run.ToolCalls
            .Select(c => new ToolCallResult(c.Step, qualified.GetValueOrDefault(c.Name, c.Name), c.ArgumentsJson, c.Result, c.IsError, c.Status, c.Agent))
            .ToList();
        var misses = activity.Misses.Select(m => m.Message).Concat(judgeMisses).ToList();
        var error = misses.Count > 0 ? string.Join(Environment.NewLine, misses)
            : caseTimeout?.IsCancellationRequested == true && !outerToken.IsCancellationRequested
                ? $"The case did not finish within its {options.CaseTimeout!.Value.TotalSeconds:0.###} s limit (--case-timeout)."
                : null;
        var latencyMs = Math.Round(modelLatencyMs + (recordedTime ? 0 : Math.Max(0, harnessMs)), 1);
        var verdicts = error is null ? [.. Scorer.Score(scenario, run, toolCalls, environment, latencyMs, suite.CustomAssertions), .. judged is null ? Array.Empty<AssertionVerdict>() : [judged]] : new List<AssertionVerdict>();

        return new CaseResult
        {
            Suite = suite.Name,
            Index = evalCase.Index,
            Variant = evalCase.Variant.Name,
            Scenario = scenario.Name,
            Trial = evalCase.Trial,
            CassetteId = evalCase.CassetteId,
            Tags = scenario.Tags,
            Critical = scenario.Critical,
            Model = config.Model.ToString(),
            Passed = error is null && verdicts.All(v => v.Passed),
            Outcome = run.Outcome.ToString(),
            OutcomeReason = run.Reason,
            FinalOutput = run.FinalText,
            Steps = run.Steps,
            ToolCallCount = toolCalls.Count,
            ToolErrors = toolCalls.Count(c => c.IsError),
            InputTokens = run.Usage.Input,
            OutputTokens = run.Usage.Output,
            CostUsd = run.CostUsd,
            ModelLatencyMs = Math.Round(modelLatencyMs, 1),
            LatencyMs = latencyMs,
            HarnessMs = Math.Round(Math.Max(0, harnessMs), 1),
            Verdicts = verdicts,
            ToolCalls = toolCalls,
            Transcript = Transcript(run.Messages),
            Counters = run.Counters,
            Trace = run.Trace,
            Error = error,
        };
    }

    private static List<TranscriptEntry> Transcript(IReadOnlyList<ChatMessage> messages) =>
        [.. messages.Select(m => new TranscriptEntry(m.Role.Value, string.Join(Environment.NewLine, m.Contents.Select(Describe).Where(s => s.Length > 0))))];

    private static string Describe(AIContent content) => content switch
    {
        TextContent text => text.Text,
        FunctionCallContent call => $"→ {call.Name}({JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AgentJson.Options)})",
        FunctionResultContent result => $"← {result.Result}",
        _ => string.Empty,
    };

    private static string NewRunId(DateTimeOffset startedAt, string suite) =>
        $"{startedAt:yyyyMMdd-HHmmss}-{suite}-{Guid.NewGuid().ToString("N")[..6]}";
}
