namespace EvalHarness.Cli.Commands;

/// <summary>What a run's reports are built against: the baseline named on the command line, and the gate policy.</summary>
/// <param name="Baseline">A run folder, results file, baseline file or <c>latest</c>; null for the suite's blessed baseline.</param>
/// <param name="Policy">A gate policy file; null not to gate.</param>
internal sealed record ReportChoices(string? Baseline, string? Policy);
