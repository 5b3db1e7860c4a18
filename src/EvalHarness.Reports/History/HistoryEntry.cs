namespace EvalHarness.Reports.History;

/// <summary>One case of one past run, as the history keeps it.</summary>
/// <param name="RunId">The run.</param>
/// <param name="StartedAt">When the run started.</param>
/// <param name="Suite">The suite.</param>
/// <param name="Variant">The variant.</param>
/// <param name="Scenario">The scenario.</param>
/// <param name="Trial">The trial.</param>
/// <param name="Passed">Whether the case passed.</param>
/// <param name="Error">Whether it ended in an error.</param>
/// <param name="Steps">Model calls.</param>
/// <param name="CostUsd">Cost, or null when unpriced.</param>
/// <param name="LatencyMs">Latency.</param>
/// <param name="Commit">The commit the run was made from, or empty.</param>
public sealed record HistoryEntry(
    string RunId, DateTimeOffset StartedAt, string Suite, string Variant, string Scenario, int Trial, bool Passed, bool Error, int Steps, decimal? CostUsd, double LatencyMs, string Commit)
{
    /// <summary>The scenario's key across runs: <c>variant/scenario</c>.</summary>
    public string Key => $"{Variant}/{Scenario}";
}
