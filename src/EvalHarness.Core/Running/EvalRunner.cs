using System.Diagnostics;
using System.Text.Json;
using EvalHarness.Agents.Providers;
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
        var cases = Expand(suite);

        await using var server = await CassetteServer.StartAsync(
            new CassetteServerOptions
            {
                CassetteDirectory = options.CassetteDirectory,
                Mode = options.Mode,
                Upstream = options.Upstream,
                RecordedFrom = options.RecordedFrom,
                Secrets = options.ApiKey is { } key ? [key] : [],
            },
            cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromMinutes(5) };

        var results = new CaseResult[cases.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, cases.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                results[index] = await RunCaseAsync(suite, cases[index], server, http, options, ct);
                options.OnCaseCompleted?.Invoke(results[index]);
            });

        return new RunResult
        {
            RunId = NewRunId(startedAt, suite.Name),
            Suite = suite.Name,
            SuiteFile = suite.FilePath,
            Mode = options.Mode == RecordMode.None ? "replay" : "record",
            StartedAt = startedAt,
            DurationMs = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
            PricingVersion = PricingTable.Default.Version,
            Summary = RunSummary.Of(results),
            Cases = results,
        };
    }

    /// <summary>The cases of a suite in their fixed order: variant, scenario, trial.</summary>
    public static IReadOnlyList<EvalCase> Expand(Suite suite) =>
        [.. from variant in suite.Variants
            from scenario in suite.Scenarios
            from trial in Enumerable.Range(1, suite.Trials)
            select new EvalCase(variant, scenario, trial, $"{suite.Name}/{variant.Name}/{scenario.Name}/t{trial}")];

    private static async Task<CaseResult> RunCaseAsync(Suite suite, EvalCase evalCase, CassetteServer server, HttpClient http, RunOptions options, CancellationToken cancellationToken)
    {
        var agentConfig = evalCase.Variant.Agent;
        var environment = CaseEnvironment.Create(suite.Fixtures);
        var tools = ToolCatalog.Build(environment, agentConfig.Tools);
        var qualified = agentConfig.Tools.ToDictionary(ToolCatalog.WireName, t => t, StringComparer.Ordinal);
        var endpoint = new Uri(server.BaseAddressFor(evalCase.CassetteId), "v1");
        var apiKey = options.Mode == RecordMode.None ? ReplayKey : options.ApiKey ?? ReplayKey;
        using var client = new TimedChatClient(new OpenAIChatClient(endpoint, apiKey, agentConfig.Model.Model, http));
        var agent = new Agent(client, new AgentOptions(agentConfig.Model.Model, agentConfig.SystemPrompt, tools, agentConfig.MaxSteps));

        var clock = Stopwatch.StartNew();
        var run = await agent.RunAsync(evalCase.Scenario.Input, cancellationToken);
        var harnessMs = (clock.Elapsed - client.Elapsed).TotalMilliseconds;
        var activity = server.TakeActivity(evalCase.CassetteId);
        var modelLatencyMs = activity.Served.Sum(t => t.TotalMs);

        var toolCalls = run.ToolCalls
            .Select(c => new ToolCallResult(c.Step, qualified.GetValueOrDefault(c.Name, c.Name), c.ArgumentsJson, c.Result, c.IsError))
            .ToList();
        var error = activity.Misses.Count > 0 ? string.Join(Environment.NewLine, activity.Misses.Select(m => m.Message)) : null;
        var verdicts = error is null ? Scorer.Score(evalCase.Scenario, run, toolCalls) : [];

        return new CaseResult
        {
            Suite = suite.Name,
            Variant = evalCase.Variant.Name,
            Scenario = evalCase.Scenario.Name,
            Trial = evalCase.Trial,
            CassetteId = evalCase.CassetteId,
            Tags = evalCase.Scenario.Tags,
            Model = agentConfig.Model.ToString(),
            Passed = error is null && verdicts.All(v => v.Passed),
            Outcome = run.Outcome.ToString(),
            OutcomeReason = run.Reason,
            FinalOutput = run.FinalText,
            Steps = run.Steps,
            ToolCallCount = toolCalls.Count,
            ToolErrors = toolCalls.Count(c => c.IsError),
            InputTokens = run.Usage.Input,
            OutputTokens = run.Usage.Output,
            CostUsd = PricingTable.Default.Cost(agentConfig.Model, run.Usage),
            ModelLatencyMs = Math.Round(modelLatencyMs, 1),
            HarnessMs = Math.Round(Math.Max(0, harnessMs), 1),
            Verdicts = verdicts,
            ToolCalls = toolCalls,
            Transcript = Transcript(run.Messages),
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
