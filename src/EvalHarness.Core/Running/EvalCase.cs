using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Running;

/// <summary>One case: a scenario, under a variant, in a trial, with its cassette id.</summary>
public sealed record EvalCase(Variant Variant, Scenario Scenario, int Trial, string CassetteId)
{
    /// <summary>The case's position in the suite's full list of cases: how shards split it and merges order it.</summary>
    public int Index { get; init; }
}
