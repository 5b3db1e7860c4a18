namespace EvalHarness.Core.Results;

/// <summary>Joins the results of shards (<c>--shard i/n</c>) of one suite into one run.</summary>
internal static class RunMerger
{
    /// <summary>Merges runs of the same suite; cases keep the suite's order, and a case found twice is an error.</summary>
    /// <exception cref="ArgumentException">The runs are of different suites, or two hold the same case; the message says which.</exception>
    public static RunResult Merge(IReadOnlyList<RunResult> runs, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(time);
        if (runs.Count == 0)
        {
            throw new ArgumentException("There is nothing to merge: name at least one run.", nameof(runs));
        }

        var suites = runs.Select(r => r.Suite).Distinct().ToList();
        if (suites.Count > 1)
        {
            throw new ArgumentException($"The runs are of different suites ({string.Join(", ", suites)}); merge the shards of one suite at a time.", nameof(runs));
        }

        var duplicate = runs.SelectMany(r => r.Cases.Select(c => (c.CassetteId, r.RunId))).GroupBy(x => x.CassetteId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"The case {duplicate.Key} is in more than one run ({string.Join(", ", duplicate.Select(x => x.RunId))}): were the same shards run twice?", nameof(runs));
        }

        var shards = runs.Select(r => r.Shard).ToList();
        if (shards.Any(s => s is not null))
        {
            var counts = shards.Select(s => s?.Split('/')[1]).Distinct().ToList();
            if (counts.Count > 1 || counts[0] is null)
            {
                throw new ArgumentException(
                    $"The runs are not shards of one split: {string.Join(", ", runs.Select(r => $"{r.RunId} ({(r.Shard is null ? "a whole run" : $"shard {r.Shard}")})"))}. Merge the shards of one --shard i/n split.",
                    nameof(runs));
            }

            var n = int.Parse(counts[0]!, System.Globalization.CultureInfo.InvariantCulture);
            var missing = Enumerable.Range(1, n).Select(i => $"{i}/{n}").Except(shards!).ToList();
            if (missing.Count > 0)
            {
                throw new ArgumentException(
                    $"Shard(s) {string.Join(", ", missing)} are missing: the merged run would not be the whole suite. Run them with `evalh run <suite> --shard {missing[0]}` and merge all {n}.",
                    nameof(runs));
            }
        }

        var cases = runs.SelectMany(r => r.Cases).OrderBy(c => c.Index).ToList();
        var startedAt = runs.Min(r => r.StartedAt);
        return runs[0] with
        {
            RunId = $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{runs[0].Suite}-merged-{Guid.NewGuid().ToString("N")[..6]}",
            StartedAt = startedAt,
            DurationMs = runs.Max(r => r.DurationMs),
            Shard = null,
            Interrupted = runs.FirstOrDefault(r => r.Interrupted is not null)?.Interrupted,
            Summary = RunSummary.Of(cases),
            Groups = Statistics.GroupSummary.Of(cases),
            Cases = cases,
        };
    }
}
