using EvalHarness.Core.Results;

namespace EvalHarness.Core.Statistics;

/// <summary>Aggregated results of a group of cases: a variant, a scenario under a variant, or a tag.</summary>
/// <param name="Kind"><c>suite</c> (every case), <c>variant</c>, <c>scenario</c> (scenario × variant) or <c>tag</c>.</param>
/// <param name="Key">The suite, the variant, <c>variant/scenario</c>, or the tag.</param>
/// <param name="Cases">How many cases.</param>
/// <param name="Passed">How many passed.</param>
/// <param name="SuccessRate">Passed over cases.</param>
/// <param name="SuccessLow">The Wilson 95% interval's lower bound.</param>
/// <param name="SuccessHigh">Its upper bound.</param>
/// <param name="PassAtK">For a scenario: pass@k with k the trials; elsewhere the mean over its scenarios.</param>
/// <param name="PassHatK">For a scenario: pass^k with k the trials; elsewhere the mean over its scenarios.</param>
/// <param name="MeanSteps">Mean steps.</param>
/// <param name="ToolCalls">Tool calls in all.</param>
/// <param name="ToolErrors">Failed tool calls in all.</param>
/// <param name="Retries">Model-call retries in all.</param>
/// <param name="UnknownToolCalls">Calls to tools the agent does not have, in all.</param>
/// <param name="InputTokens">Input tokens in all.</param>
/// <param name="OutputTokens">Output tokens in all.</param>
/// <param name="CostUsd">Cost in all, or null when a price is unknown.</param>
/// <param name="LatencyP50Ms">Median latency.</param>
/// <param name="LatencyP95Ms">95th-percentile latency.</param>
/// <param name="HarnessP50Ms">Median harness time (this machine's time outside model calls).</param>
/// <param name="HarnessP95Ms">95th-percentile harness time.</param>
public sealed record GroupSummary(
    string Kind,
    string Key,
    int Cases,
    int Passed,
    double SuccessRate,
    double SuccessLow,
    double SuccessHigh,
    double PassAtK,
    double PassHatK,
    double MeanSteps,
    int ToolCalls,
    int ToolErrors,
    int Retries,
    int UnknownToolCalls,
    long InputTokens,
    long OutputTokens,
    decimal? CostUsd,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double HarnessP50Ms,
    double HarnessP95Ms)
{
    /// <summary>For a group with conversations: the mean number of user turns of its conversation cases; null otherwise.</summary>
    public double? MeanTurns { get; init; }

    /// <summary>For a group with conversations: model calls per user turn, over its conversation cases.</summary>
    public double? StepsPerTurn { get; init; }

    /// <summary>For a group with conversations: how its conversations ended (<c>user</c>, <c>script</c>, <c>max_turns</c>, <c>agent</c>), counted.</summary>
    public IReadOnlyDictionary<string, int>? EndedBy { get; init; }

    /// <summary>Summarises a run's cases as a whole (kind <c>suite</c>), by variant, by scenario under each variant, and by tag.</summary>
    public static IReadOnlyList<GroupSummary> Of(IReadOnlyList<CaseResult> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        if (cases.Count == 0)
        {
            return [];
        }

        var scenarios = cases.GroupBy(c => $"{c.Variant}/{c.Scenario}").Select(g => Summarise("scenario", g.Key, [.. g], null)).ToList();
        var byScenario = scenarios.ToDictionary(s => s.Key, StringComparer.Ordinal);
        var variants = cases.GroupBy(c => c.Variant).Select(g => Summarise("variant", g.Key, [.. g], byScenario));
        var tags = cases.SelectMany(c => c.Tags.Select(t => (Tag: t, Case: c))).GroupBy(x => x.Tag)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Summarise("tag", g.Key, [.. g.Select(x => x.Case)], byScenario));
        return [Summarise("suite", cases[0].Suite, [.. cases], byScenario), .. variants, .. scenarios, .. tags];
    }

    private static GroupSummary Summarise(string kind, string key, List<CaseResult> cases, Dictionary<string, GroupSummary>? scenarios)
    {
        var passed = cases.Count(c => c.Passed);
        var (low, high) = PassRates.Wilson(cases.Count, passed);
        double passAtK, passHatK;
        if (scenarios is null)
        {
            passAtK = PassRates.PassAtK(cases.Count, passed, cases.Count);
            passHatK = PassRates.PassHatK(cases.Count, passed, cases.Count);
        }
        else
        {
            var mine = cases.Select(c => scenarios[$"{c.Variant}/{c.Scenario}"]).Distinct().ToList();
            passAtK = mine.Average(s => s.PassAtK);
            passHatK = mine.Average(s => s.PassHatK);
        }

        var dialogues = cases.Select(c => c.Dialogue).OfType<DialogueResult>().ToList();
        var turns = dialogues.Sum(d => d.Turns.Count);
        // Steps and times are over the cases that did not end in an error (as in RunSummary).
        var measured = cases.Where(c => c.Error is null).ToList();
        var latencies = measured.Select(c => c.LatencyMs).Order().ToArray();
        var harness = measured.Select(c => c.HarnessMs).Order().ToArray();
        return new GroupSummary(
            kind,
            key,
            cases.Count,
            passed,
            Math.Round((double)passed / cases.Count, 4),
            Math.Round(low, 4),
            Math.Round(high, 4),
            Math.Round(passAtK, 4),
            Math.Round(passHatK, 4),
            measured.Count == 0 ? 0 : Math.Round(measured.Average(c => c.Steps), 2),
            cases.Sum(c => c.ToolCallCount),
            cases.Sum(c => c.ToolErrors),
            cases.Sum(c => c.Counters.GetValueOrDefault("retries")),
            cases.Sum(c => c.Counters.GetValueOrDefault("unknown_tool_calls")),
            cases.Sum(c => c.InputTokens),
            cases.Sum(c => c.OutputTokens),
            cases.Any(c => c.CostUsd is null && c.Error is null) ? null : cases.Sum(c => c.CostUsd ?? 0),
            RunSummary.Percentile(latencies, 0.50),
            RunSummary.Percentile(latencies, 0.95),
            RunSummary.Percentile(harness, 0.50),
            RunSummary.Percentile(harness, 0.95)) with
        {
            MeanTurns = dialogues.Count == 0 ? null : Math.Round(dialogues.Average(d => d.Turns.Count), 2),
            StepsPerTurn = dialogues.Count == 0 ? null : turns == 0 ? 0 : Math.Round((double)dialogues.Sum(d => d.Turns.Sum(t => t.Steps)) / turns, 2),
            EndedBy = dialogues.Count == 0 ? null
                : dialogues.GroupBy(d => d.EndedBy).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
        };
    }
}
