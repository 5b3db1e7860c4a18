using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Running;

/// <summary>One case: a scenario, under a variant, in a trial, with its cassette id.</summary>
public sealed record EvalCase(Variant Variant, Scenario Scenario, int Trial, string CassetteId)
{
    /// <summary>The case's position in the suite's full list of cases: how shards split it and merges order it.</summary>
    public int Index { get; init; }

    /// <summary>The cassette of the case's LLM judge, which has one of its own.</summary>
    public string JudgeCassetteId => $"{CassetteId}/judge";

    /// <summary>The cassette of the case's simulated user, which has one of its own.</summary>
    public string UserCassetteId => $"{CassetteId}/user";

    /// <summary>Every cassette the case uses: its own, and its judge's and simulated user's when it has them.</summary>
    public IEnumerable<string> CassetteIds =>
        [CassetteId, .. Scenario.Expect.Judge is null ? [] : new[] { JudgeCassetteId }, .. Scenario.User is null ? [] : new[] { UserCassetteId }];
}
