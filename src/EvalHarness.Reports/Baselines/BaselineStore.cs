using EvalHarness.Core.Results;
using EvalHarness.Reports.Json;

namespace EvalHarness.Reports.Baselines;

/// <summary>
/// Blessed baselines: <c>reports/baselines/&lt;suite key&gt;.json</c> (e.g. <c>reports/baselines/suites/support.json</c>,
/// see <see cref="SuiteKeys"/>), the run a suite's later runs are compared and gated against. The file is a results file
/// without transcripts, traces and tool-call payloads, small enough to commit.
/// </summary>
public static class BaselineStore
{
    /// <summary>The baseline file of the suite keyed <paramref name="suiteKey"/> under <paramref name="reportsDirectory"/>.</summary>
    public static string PathFor(string reportsDirectory, string suiteKey) => Path.Combine(reportsDirectory, "baselines", $"{suiteKey}.json");

    /// <summary>Makes <paramref name="run"/> its suite's baseline and returns the file written.</summary>
    /// <exception cref="ArgumentException">The run was stopped early, is one shard, or (unless allowed) was narrowed: it does not stand for the suite.</exception>
    /// <param name="run">The run.</param>
    /// <param name="reportsDirectory">The reports folder.</param>
    /// <param name="allowPartial">Bless a run narrowed with --filter or --variant all the same.</param>
    /// <param name="force">Bless a run with failed or errored cases all the same.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public static async Task<string> BlessAsync(RunResult run, string reportsDirectory, bool allowPartial = false, bool force = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!force && run.Cases.Any(c => !c.Passed))
        {
            var failed = run.Cases.Where(c => !c.Passed).ToList();
            var errors = failed.Count(c => c.Error is not null);
            throw new ArgumentException(
                $"The run {run.RunId} has {failed.Count - errors} failed case(s) and {errors} error(s) ({string.Join(", ", failed.Take(3).Select(c => c.CassetteId))}{(failed.Count > 3 ? ", …" : string.Empty)}): "
                + "as the baseline, later failures of the same cases would look unchanged. Bless a run that passes, or pass --force to bless this one as it is.",
                nameof(run));
        }

        if (run.Selection is { } selection && !allowPartial)
        {
            throw new ArgumentException(
                $"The run {run.RunId} is a part of the suite ({selection}): later runs would be compared with {run.Cases.Count} case(s) only. Bless a run of the whole suite, or pass --allow-partial.",
                nameof(run));
        }

        if (run.Interrupted is not null || run.Shard is not null)
        {
            throw new ArgumentException(
                $"The run {run.RunId} is {(run.Shard is not null ? $"shard {run.Shard} of a split run: merge the shards with `evalh merge` and bless the merged run" : "incomplete (it was stopped early): bless a finished run")}.",
                nameof(run));
        }

        var path = PathFor(reportsDirectory, SuiteKeys.Of(run, reportsDirectory));
        var slim = run with
        {
            Cases = [.. run.Cases.Select(c => c with { Transcript = [], Trace = [], ToolCalls = [.. c.ToolCalls.Select(t => t with { Arguments = string.Empty, Result = string.Empty })] })],
        };
        await ResultsJson.WriteAsync(slim, path, cancellationToken);
        return path;
    }

    /// <summary>The blessed baseline of the suite keyed <paramref name="suiteKey"/>, or null when none was blessed.</summary>
    public static async Task<RunResult?> FindAsync(string reportsDirectory, string suiteKey, CancellationToken cancellationToken = default)
    {
        var path = PathFor(reportsDirectory, suiteKey);
        return File.Exists(path) ? await ResultsJson.ReadAsync(path, cancellationToken) : null;
    }
}
