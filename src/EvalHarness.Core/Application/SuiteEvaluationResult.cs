using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;

namespace EvalHarness.Core.Application;

/// <summary>A finished evaluation: the run, where its reports are, the gate's verdict, and the exit code the CLI gives.</summary>
/// <param name="Run">Every case's result.</param>
/// <param name="ReportDirectory">The run's folder (results.json, report.html, cases.csv, summary.md, junit.xml); null when no reports were written.</param>
/// <param name="Gate">The gate's verdict, when a policy was given.</param>
/// <param name="ExitCode">0 passed, 1 failed (or the gate failed), 2 could not be judged.</param>
public sealed record SuiteEvaluationResult(RunResult Run, string? ReportDirectory, GateResult? Gate, int ExitCode);
