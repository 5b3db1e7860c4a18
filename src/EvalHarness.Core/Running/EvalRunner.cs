using System.ClientModel.Primitives;
using System.Diagnostics;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Assertions;
using EvalHarness.Core.Pricing;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.BuiltIn;
using EvalHarness.Core.UnderTest;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace EvalHarness.Core.Running;

/// <summary>
/// Runs a suite: every scenario under every variant for every trial, each case against its own
/// cassette through one <see cref="CassetteServer"/>, scored and collected in suite order.
/// </summary>
internal static class EvalRunner
{
    /// <summary>The API key replay sends: the cassette server needs none, and no real key is ever needed to replay.</summary>
    private const string ReplayKey = "evalh-replay-no-key";

    /// <summary>Runs <paramref name="suite"/> and returns its results.</summary>
    public static async Task<RunResult> RunAsync(Suite suite, RunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(options);
        var startedAt = options.StartedAt ?? options.Time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var cases = EvalCase.AllOf(suite).Where(c => options.Selects(c)).ToList();
        using var tracing = OtlpTracing.Start(options.OtlpEndpoint, options.OnNotice);

        // Recording live, each provider gets a limit that adapts to its rate limits; a replay only needs the CPU's.
        var limits = options.ReachesLiveProvider
            ? suite.Variants.Select(v => v.Agent.Model.Provider).Distinct().ToDictionary(p => p, p => new AdaptiveConcurrency(options.ConcurrencyFor(p)), StringComparer.Ordinal)
            : [];
        var providerOf = suite.Variants.ToDictionary(v => v.Name, v => v.Agent.Model.Provider, StringComparer.Ordinal);
        void Answered(string cassetteId, int status, TimeSpan? retryAfter)
        {
            var variant = cassetteId.Split('/') is { Length: >= 2 } parts ? parts[1] : string.Empty;
            if (providerOf.TryGetValue(variant, out var provider) && limits.TryGetValue(provider, out var limit))
            {
                limit.Answered(status, retryAfter);
            }
        }

        // The built-in runtime's clients reach the cassette server in this process, so a replay of it needs no socket;
        // a team's agent may build clients of its own from the URL it is given, and a replay paced at recorded time
        // answers over the socket.
        // Tool servers are reached over HTTP by whatever client the agent has (the built-in runtime's MCP client too).
        var toolServers = suite.Variants.SelectMany(v => v.Agent.ToolServers).DistinctBy(s => s.PathSegment).ToList();
        var listen = options.Agent is not null || options.Port is not null || options.Timing != ReplayTiming.Instant || cases.Any(c => c.Variant.Agent.Own is not null) || toolServers.Count > 0;
        await using var host = await CaseHost.StartAsync(
            CaseHost.ServerOptions(options) with
            {
                Listen = listen, OnUpstreamAnswer = limits.Count > 0 ? Answered : null, SuitePath = Shown(suite.FilePath), ToolServers = toolServers,
            },
            cancellationToken);

        // A served agent's service, started once for the run at the cassette server's case-less address.
        await using var services = await ServedAgents.StartAsync(suite, host.Server, provider => ApiKey(options, provider), cancellationToken);

        var results = new CaseResult?[cases.Count];
        var interrupted = false;
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, cases.Count),
                new ParallelOptions { MaxDegreeOfParallelism = limits.Count > 0 ? limits.Values.Sum(l => l.Max) : Math.Max(1, options.Concurrency), CancellationToken = cancellationToken },
                async (index, ct) =>
                {
                    using var slot = limits.Count > 0 ? await limits[cases[index].Variant.Agent.Model.Provider].EnterAsync(ct) : null;
                    var caseSpan = OtlpTracing.StartCase(cases[index], suite.Name);
                    var result = await RunCaseAsync(suite, cases[index], host.Server, host.Http, host.OpenAIPipeline, host.Latency, options, ct);
                    OtlpTracing.EndCase(caseSpan, result, tracing);
                    if (ct.IsCancellationRequested && result.Outcome == Outcomes.Cancelled)
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
        foreach (var (provider, limit) in limits.Where(l => l.Value.Throttles > 0))
        {
            options.OnNotice?.Invoke($"{provider} throttled {limit.Throttles} request(s) (429 or Retry-After): cases at once went from {limit.Max} down to {limit.Lowest}, and ended at {limit.Limit}.");
        }

        return new RunResult
        {
            RunId = options.RunId ?? NewRunId(startedAt, suite.Name),
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

    /// <summary>Runs one case through <paramref name="server"/> and scores it (<c>evalh load</c> runs cases through it too).</summary>
    internal static async Task<CaseResult> RunCaseAsync(
        Suite suite, EvalCase evalCase, CassetteServer server, HttpClient http, Func<string, ClientPipeline> openAIPipeline,
        RecordedLatencyHandler latency, RunOptions options, CancellationToken cancellationToken)
    {
        var config = evalCase.Variant.Agent;
        var scenario = evalCase.Scenario;
        var own = options.Agent ?? config.Own;
        using var environment = own is null ? CaseEnvironment.Create(suite.Fixtures, scenario.Memories, suite.Toolkits) : null;
        string KeyFor(string provider) => ApiKey(options, provider);
        var (openAIKey, anthropicKey) = (KeyFor("openai"), KeyFor("anthropic"));

        // A model client pointed at one cassette: the built-in runtime's own OpenAI adapter, or for a team's agent the
        // official SDK through Microsoft.Extensions.AI's adapter, exactly what it would use in production.
        // The judge and a simulated user are called through their own model's provider, whatever the variant's agent speaks.
        IChatClient ClientFor(string cassetteId, ModelRef model)
        {
            var request = new ProviderClients.ClientRequest(server.BaseAddressFor(cassetteId), KeyFor(model.Provider), model.Model, http, openAIPipeline, BuiltIn: own is null);
            return ProviderClients.Create(model.Provider, request);
        }

        var address = server.BaseAddressFor(evalCase.CassetteId);
        using var client = new TimedChatClient(ClientFor(evalCase.CassetteId, config.Model));

        // A conversation's user: its script, or a model playing it, whose calls go to a cassette of their own.
        var userId = evalCase.UserCassetteId;
        using var userClient = scenario.User is { } simulated ? ClientFor(userId, simulated.Model ?? config.Model) : null;
        var user = UserSide.For(scenario, userClient);

        // Replays (and scripted recordings) run on recorded time: a virtual clock moved by each model call's
        // recorded latency, so timeouts and spans come out the same on every replay, and backoff delays are
        // reported but not waited (the failures are already in the cassette).
        var recordedTime = options.Mode == RecordMode.None || options.RecordedFrom == "scripted";
        var virtualClock = recordedTime ? new VirtualClock() : null;
        using var clockRegistration = virtualClock is null ? null : latency.Register(evalCase.CassetteId, virtualClock);
        var agentCase = new AgentCase
        {
            CaseId = evalCase.CassetteId,
            Suite = suite.Name,
            Variant = evalCase.Variant.Name,
            Trial = evalCase.Trial,
            Scenario = scenario.Name,
            Tags = scenario.Tags,
            Messages = [new ChatMessage(ChatRole.User, scenario.Input)],
            Vars = config.Vars.Count == 0 ? scenario.Vars
                : config.Vars.Concat(scenario.Vars).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
            SystemPrompt = config.SystemPrompt.Length > 0 ? config.SystemPrompt : null,
            Model = config.Model,
            ChatClient = client,
            CassetteBaseUrl = address,
            McpServers = config.ToolServers.Where(s => s.IsMcp).ToDictionary(s => s.Name, s => new Uri(address, s.PathSegment), StringComparer.Ordinal),
            HttpApis = config.ToolServers.Where(s => !s.IsMcp).ToDictionary(s => s.Name, s => new Uri(address, s.PathSegment), StringComparer.Ordinal),
            ApiKeys = Providers.Names.ToDictionary(p => p, KeyFor, StringComparer.Ordinal),
            OpenAIBaseUrl = new Uri(address, "v1"),
            AnthropicBaseUrl = address,
            OpenAIApiKey = openAIKey,
            AnthropicApiKey = anthropicKey,
            Time = virtualClock ?? options.Time,
        };

        using var caseTimeout = options.CaseTimeout is { } limit ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        caseTimeout?.CancelAfter(options.CaseTimeout!.Value);
        var outerToken = cancellationToken;
        cancellationToken = caseTimeout?.Token ?? cancellationToken;
        // A recording keeps the case's earlier cassettes, to put back if the case ends in an error (EarlierCassettes).
        var earlier = options.Mode == RecordMode.None ? null : EarlierCassettes.Take(server.Store, evalCase.CassetteIds);
        var clock = Stopwatch.StartNew();
        // A served agent's calls come to the case-less address, found by the case's trace id while the case runs; one that
        // names no case meanwhile is this case's error (a service that does not pass trace context on fails every case).
        using var traced = own?.Served is not null ? server.RouteTrace(evalCase.CassetteId) : null;
        var caselessMark = server.CaselessMissCount;
        // A tool check (call:) calls its tool server itself: no agent, no model.
        var report = scenario.Call is { } call
            ? await RunAgentAsync(null, () => new ToolCheckAgent(call), agentCase, null, server, cancellationToken)
            : await RunAgentAsync(own, () => new BuiltInAgent(config, scenario, environment!, user, skipDelays: recordedTime), agentCase, user, server, cancellationToken);
        var harnessMs = (clock.Elapsed - client.Elapsed).TotalMilliseconds;

        var activity = await server.TakeActivityAsync(evalCase.CassetteId, CancellationToken.None);
        var modelLatencyMs = activity.Served.Sum(t => t.TotalMs);
        // What the agent's tool servers were asked and answered, read from their side (docs/tools.md).
        var serverCalls = ToolTraffic.Calls(activity.Tools);
        var toolServerMs = activity.Tools.Where(t => !ToolTraffic.IsNotification(t.Exchange)).Sum(t => t.Exchange.Timings.TotalMs);
        report = Complete(report, activity, own?.Description ?? "agent", config.PricedAs);
        var toolCalls = report.ToolCalls ?? [];

        // The judge and the suite's evaluators call their model through one client on the case's judge cassette, so
        // their calls never change the agent's latency or request order; judge first, then each evaluator, in order.
        var judgeId = evalCase.JudgeCassetteId;
        var evaluators = scenario.Expect.Evaluators;
        var judgeModel = scenario.Expect.Judge?.Model ?? config.Model;
        using var judgeClient = scenario.Expect.Judge is not null || evaluators.Count > 0 ? ClientFor(judgeId, judgeModel) : null;
        AssertionVerdict? judged = null;
        if (scenario.Expect.Judge is { } judge && report.Outcome == Outcomes.Completed && report.Error is null)
        {
            judged = await Judge.ScoreAsync(judgeClient!, judge with { Model = judgeModel }, scenario, report, toolCalls, CancellationToken.None);
        }

        // A simulated user's request that no longer matches its recording is an error of the case too.
        var userMisses = user is null ? [] : (await server.TakeActivityAsync(userId, CancellationToken.None)).Misses.Select(m => m.Message);
        var misses = activity.Misses.Select(m => m.Message).Concat(userMisses)
            .Concat(traced is null ? [] : server.CaselessMissesSince(caselessMark).Distinct()).ToList();
        string? ErrorOf(List<string> misses) => misses.Count > 0 ? string.Join(Environment.NewLine, misses)
            : caseTimeout?.IsCancellationRequested == true && !outerToken.IsCancellationRequested
                ? $"The case did not finish within its {options.CaseTimeout!.Value.TotalSeconds:0.###} s limit (--case-timeout)."
                : report.Error is { Length: > 0 } failed ? $"{char.ToUpperInvariant(failed[0])}{failed[1..]}"
                : null;

        // On recorded time a case takes what its model and tool servers took; live, the wall clock holds the tools' time.
        var latencyMs = Math.Round(modelLatencyMs + (recordedTime ? toolServerMs : Math.Max(0, harnessMs)), 1);
        var error = ErrorOf(misses);
        List<AssertionVerdict> verdicts = [];
        if (error is null)
        {
            verdicts = [.. Scorer.ScoreTurns(scenario, report), .. Scorer.Score(scenario, report, toolCalls, environment, latencyMs, serverCalls), .. judged is null ? Array.Empty<AssertionVerdict>() : [judged]];
            verdicts.AddRange(await Evaluators.ScoreAsync(
                evaluators, evalCase.CassetteId, scenario.Name, report, path => Scorer.StateAt(report, environment, path),
                judgeClient is null ? null : new ChatConfiguration(judgeClient), cancellationToken));
        }

        // A judge's or an evaluator's request that no longer matches its recording is an error of the case, like the agent's own.
        if (judgeClient is not null && (await server.TakeActivityAsync(judgeId, CancellationToken.None)).Misses is { Count: > 0 } judgeMisses)
        {
            misses.AddRange(judgeMisses.Select(m => m.Message));
            error = ErrorOf(misses);
        }

        if (error is not null)
        {
            verdicts = [];
            if (earlier?.Restore() is { Count: > 0 } kept)
            {
                error += $"{Environment.NewLine}The recording stopped early, so the earlier cassette{(kept.Count > 1 ? "s were" : " was")} kept: "
                    + $"{string.Join(", ", kept.Select(Path.GetFileName))}. Fix the cause and record the case again.";
            }
        }

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
            Model = scenario.Call is { } check ? $"{check.Kind}:{check.Server}"
                : config.Model.IsChosenByTheAgent ? RecordedTraffic.Models(activity.Interactions) : config.Model.ToString(),
            Passed = error is null && verdicts.All(v => v.Passed),
            Outcome = report.Outcome ?? Outcomes.Completed,
            OutcomeReason = report.Reason ?? string.Empty,
            FinalOutput = report.Output,
            Steps = report.Steps ?? 0,
            ToolCallCount = toolCalls.Count,
            ToolErrors = toolCalls.Count(c => c.IsError),
            InputTokens = report.InputTokens ?? 0,
            OutputTokens = report.OutputTokens ?? 0,
            CostUsd = report.CostUsd,
            ModelLatencyMs = Math.Round(modelLatencyMs, 1),
            LatencyMs = latencyMs,
            HarnessMs = Math.Round(Math.Max(0, harnessMs), 1),
            Verdicts = verdicts,
            ToolCalls = toolCalls,
            ServerCalls = serverCalls.Count == 0 ? null : serverCalls,
            Transcript = report.Transcript ?? [],
            Counters = report.Counters ?? new Dictionary<string, int>(),
            Trace = report.Trace ?? [],
            Log = report.Log,
            Error = error,
            Dialogue = report.Turns is { } turns
                ? new DialogueResult([.. turns.Select(t => new TurnResult(t.User, t.Output, t.Outcome, t.Steps, t.ToolCalls.Count))], report.EndedBy ?? "agent", report.Closing)
                : null,
        };
    }

    /// <summary>
    /// Runs the agent under test; a team's agent that throws or is cancelled ends its case, never the run. In a
    /// conversation the built-in runtime holds the turns itself; an own agent is called once per user turn.
    /// </summary>
    private static async Task<AgentReport> RunAgentAsync(
        OwnAgent? own, Func<IAgentUnderTest> builtIn, AgentCase agentCase, UserSide? user, CassetteServer server, CancellationToken cancellationToken)
    {
        IAgentUnderTest? agent = null;
        try
        {
            agent = own?.Create() ?? builtIn();
            return own is not null && user is not null
                ? await OwnConversation.RunAsync(agent, agentCase, user, () => server.ServedSoFarAsync(agentCase.CaseId, CancellationToken.None), own.Description, cancellationToken)
                : await agent.RunAsync(agentCase, cancellationToken) ?? AgentReport.Failed("the agent returned no report (null).");
        }
        catch (SimulatedUserException ex)
        {
            return AgentReport.Failed(ex.Message) with { Reason = "The simulated user could not go on." };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new AgentReport { Output = string.Empty, Outcome = Outcomes.Cancelled, Reason = "The run was cancelled." };
        }
        catch (Exception ex) when (own is not null)
        {
            return AgentReport.Failed((agent is null
                ? $"the agent could not be created: {(ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner.Message : ex.Message)}"
                : $"the agent threw {ex.GetType().Name}: {ex.Message}") + AgentAssembly.VersionNote(ex, agent?.GetType().Assembly));
        }
        finally
        {
            await OwnAgent.DisposeAsync(agent);
        }
    }

    /// <summary>What an agent did not report itself, filled in from its case's recorded traffic.</summary>
    private static AgentReport Complete(AgentReport report, CassetteActivity activity, string agentName, Func<ModelRef, ModelRef> pricedAs)
    {
        if (report.IsComplete)
        {
            return report;
        }

        var traffic = RecordedTraffic.Analyse(activity.Interactions, agentName, pricedAs, activity.Tools);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        if (traffic.ModelCalls > 0)
        {
            counters["model_calls"] = traffic.ModelCalls;
        }

        foreach (var (name, value) in report.Counters ?? new Dictionary<string, int>())
        {
            counters[name] = value;
        }

        return report with
        {
            Outcome = report.Outcome ?? Outcomes.Completed,
            Reason = report.Reason ?? $"The agent answered after {traffic.Steps} model call(s).",
            ToolCalls = report.ToolCalls ?? traffic.ToolCalls,
            Steps = report.Steps ?? traffic.Steps,
            InputTokens = report.InputTokens ?? traffic.InputTokens,
            OutputTokens = report.OutputTokens ?? traffic.OutputTokens,
            CostUsd = report.CostUsd ?? traffic.CostUsd,
            Counters = counters,
            Transcript = report.Transcript ?? traffic.Transcript,
            Trace = report.Trace ?? traffic.Trace,
        };
    }

    /// <summary>The key a client sends a provider: the live one when recording, a placeholder in replay.</summary>
    internal static string ApiKey(RunOptions options, string provider) =>
        options.Mode == RecordMode.None ? ReplayKey : options.ApiKeys.GetValueOrDefault(provider, ReplayKey);

    /// <summary>A suite's path as a command to type names it: as it was given (as errors name it), quoted when it holds a space.</summary>
    private static string Shown(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    /// <summary>A run's id: its start time to the second, the suite, and a random suffix.</summary>
    internal static string NewRunId(DateTimeOffset startedAt, string suite) =>
        $"{startedAt:yyyyMMdd-HHmmss}-{suite}-{Guid.NewGuid().ToString("N")[..6]}";
}
