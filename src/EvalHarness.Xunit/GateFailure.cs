using EvalHarness.Core.Application;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Results;

namespace EvalHarness.Xunit;

/// <summary>
/// Why <see cref="SuiteGate"/> failed a test, for a person reading <c>dotnet test</c>'s output with no report open: each
/// rule not met with its figures, each failed case with its failed assertions and whether it passed in the baseline, what
/// to do next, and where the report is.
/// </summary>
internal static class GateFailure
{
    /// <summary>At most this many failed cases are listed; the report has every one.</summary>
    private const int MaxCases = 10;

    public static string Message(string suite, SuiteEvaluationResult result)
    {
        var lines = result.ExitCode == ExitCodes.InputError ? NotJudged(suite, result.Run)
            : result.Gate is { } gate ? Failed(suite, gate, result.Run, result.ReportDirectory)
            : [$"{suite}: {result.Run.Summary.Failed} of {result.Run.Summary.Cases} case(s) failed."];
        lines.Add($"Report: {Path.Combine(result.ReportDirectory ?? string.Empty, "report.html")}");
        return string.Join(Environment.NewLine, lines);
    }

    private static List<string> NotJudged(string suite, RunResult run)
    {
        var errors = run.Cases.Where(c => c.Error is not null).ToList();
        return [$"{suite}: {errors.Count} case(s) could not be judged, so the gate was not reached", .. errors.Select(c => $"  - {c.CassetteId}: {c.Error}")];
    }

    private static List<string> Failed(string suite, GateResult gate, RunResult run, string? runDirectory)
    {
        var against = gate.BaselineRunId is { } baseline
            ? $"against the baseline {baseline}"
            : "with no baseline (the rules that compare with one were skipped: bless one with `evalh baseline bless <run>`)";
        List<string> lines = [$"{suite}: {gate.Headline}, {against}; policy {gate.Policy}"];
        lines.AddRange(gate.Rules.Where(r => r.Status == GateStatus.Fail)
            .Select(r => $"  - {r.Rule}: {r.Measured}, needs {r.Threshold}{(r.Detail.Length > 0 ? $". {r.Detail}" : string.Empty)}"));

        // The cases that got worse against the baseline first: they are what the change did.
        bool Regressed(CaseResult c) => gate.Regressed.Contains($"{c.Variant}/{c.Scenario}");
        var failed = run.Cases.Where(c => !c.Passed).OrderBy(c => Regressed(c) ? 0 : 1).ThenBy(c => c.Index).ToList();
        if (failed.Count > 0)
        {
            lines.Add($"Failed cases ({failed.Count} of {run.Cases.Count}):");
            lines.AddRange(failed.Take(MaxCases).Select(c => $"  - {c.CassetteId}{Marks(c, Regressed(c), gate)}: {Reasons(c)}"));
            if (failed.Count > MaxCases)
            {
                lines.Add($"  - and {failed.Count - MaxCases} more (in the report)");
            }

            lines.Add($"What to do: if the change made the agent worse, fix the agent (its prompt, model or tools) and record again (`evalh record {suite}`); "
                + "if its new answers are right, change the scenarios' expect to say so, then bless a passing run as the baseline (`evalh baseline bless latest`).");
        }
        else
        {
            // Every case passed: a rule on cost or latency against the baseline failed.
            lines.Add($"What to do: if the change is meant, bless this run as the baseline (`evalh baseline bless {runDirectory}`); if not, the report compares it with the baseline case by case.");
        }

        return lines;
    }

    private static string Marks(CaseResult c, bool regressed, GateResult gate)
    {
        List<string> marks = [];
        if (c.Critical)
        {
            marks.Add("critical");
        }

        if (regressed)
        {
            marks.Add("passed in the baseline, fails now");
        }
        else if (gate.Flaky.Contains($"{c.Variant}/{c.Scenario}"))
        {
            marks.Add("flaky: it flips between recent runs");
        }

        return marks.Count == 0 ? string.Empty : $" ({string.Join("; ", marks)})";
    }

    /// <summary>The failed assertions' reasons, or how the run ended when no assertion failed (a step limit, say).</summary>
    private static string Reasons(CaseResult c)
    {
        var failed = c.Verdicts.Where(v => !v.Passed).Select(v => $"{v.Kind}: {v.Reason}").ToList();
        return failed.Count > 0 ? string.Join("; ", failed) : $"the run ended {c.Outcome}: {c.OutcomeReason}";
    }
}
