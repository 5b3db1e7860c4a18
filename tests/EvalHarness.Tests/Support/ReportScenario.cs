using EvalHarness.Core.Results;
using EvalHarness.Reports.Baselines;
using EvalHarness.Reports.History;
using EvalHarness.Reports.Json;

namespace EvalHarness.Tests.Support;

/// <summary>
/// A realistic report to look at: the codefix suite (two variants) replayed, with a baseline in which every case
/// passed, three earlier runs in the history, and the gate's verdict.
/// </summary>
internal static class ReportScenario
{
    /// <summary>Builds the run under <paramref name="reports"/> and returns its folder.</summary>
    public static async Task<string> GatedCodefixRunAsync(string reports, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        Task<int> Evalh(params string[] args) => Support.Evalh.InvokeAsync(output, output, args, cancellationToken);

        // Three earlier runs, the oldest first: the hasty variant got worse over time.
        var suite = Path.Combine(RepoPaths.Suites, "codefix.yaml");
        await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", reports);
        var first = Path.Combine(Directory.GetDirectories(Path.Combine(reports, "runs")).Single(), "results.json");
        var template = await ResultsJson.ReadAsync(first, cancellationToken);
        var history = HistoryFile.PathFor(reports, template.SuiteKey!);
        File.Delete(history);
        for (var i = 0; i < 3; i++)
        {
            var earlier = template with
            {
                RunId = $"20261101-09000{i}-codefix-early{i}",
                StartedAt = new DateTimeOffset(2026, 11, 1 + i, 9, 0, 0, TimeSpan.Zero),
                Cases = [.. template.Cases.Select(c => c.Variant == "hasty" && c.Scenario == "fix-slugify" && i == 2 ? c with { Passed = false } : c with { Passed = c.Variant == "careful" || i < 2 || c.Passed })],
            };
            await HistoryFile.AppendAsync(history, earlier, cancellationToken);
            if (i == 0)
            {
                await BaselineStore.BlessAsync(earlier with { Summary = RunSummary.Of(earlier.Cases) }, reports, cancellationToken: cancellationToken);
            }
        }

        Directory.Delete(Path.GetDirectoryName(first)!, recursive: true);
        var policy = Path.Combine(reports, "gate.yaml");
        await File.WriteAllTextAsync(policy, "min_success_rate: 0.7\nmax_success_drop_points: 10\nmax_cost_increase_pct: 50\n", cancellationToken);
        var exit = await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", reports, "--policy", policy);
        return exit == ExitCodes.Failed
            ? Directory.GetDirectories(Path.Combine(reports, "runs")).Single()
            : throw new InvalidOperationException($"The gated codefix run should fail its gate (exit 1), not exit {exit}: {output}");
    }
}
