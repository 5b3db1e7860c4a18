using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Running;

/// <summary>One case: a scenario, under a variant, in a trial, with its cassette id.</summary>
public sealed record EvalCase(Variant Variant, Scenario Scenario, int Trial, string CassetteId)
{
    /// <summary>The case's position in the suite's full list of cases: how shards split it and merges order it.</summary>
    public int Index { get; init; }

    /// <summary>The cases of a suite in their fixed order: variant, scenario, trial.</summary>
    public static IReadOnlyList<EvalCase> AllOf(Suite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return [.. (from variant in suite.Variants
                    from scenario in suite.Scenarios
                    from trial in Enumerable.Range(1, suite.Trials)
                    select new EvalCase(variant, scenario, trial, $"{suite.Name}/{variant.Name}/{scenario.Name}/t{trial}"))
            .Select((c, i) => c with { Index = i })];
    }

    /// <summary>The cassette of the case's LLM judge, which has one of its own.</summary>
    public string JudgeCassetteId => $"{CassetteId}/judge";

    /// <summary>The cassette of the case's simulated user, which has one of its own.</summary>
    public string UserCassetteId => $"{CassetteId}/user";

    /// <summary>Every cassette the case uses: its own, and its judge's and simulated user's when it has them.</summary>
    public IEnumerable<string> CassetteIds =>
        [CassetteId, .. Scenario.Expect.Judge is null ? [] : new[] { JudgeCassetteId }, .. Scenario.User is null ? [] : new[] { UserCassetteId }];
}
