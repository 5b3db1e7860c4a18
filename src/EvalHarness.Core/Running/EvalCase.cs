using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Running;

/// <summary>One case: a scenario, under a variant, in a trial, with its cassette id.</summary>
public sealed record EvalCase(Variant Variant, Scenario Scenario, int Trial, string CassetteId);
