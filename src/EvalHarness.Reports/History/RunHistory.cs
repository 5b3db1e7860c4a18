namespace EvalHarness.Reports.History;

/// <summary>What the history says about a suite's recent runs: trends per variant, and which scenarios are flaky.</summary>
public sealed class RunHistory
{
    private readonly List<(string RunId, DateTimeOffset StartedAt, List<HistoryEntry> Rows)> _runs;

    /// <summary>Groups a suite's history rows into runs, oldest first.</summary>
    public RunHistory(IEnumerable<HistoryEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _runs = [.. entries.GroupBy(e => e.RunId, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Min(e => e.StartedAt), g.ToList()))
            .OrderBy(r => r.Item2).ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    /// <summary>How many runs <see cref="Trend"/> shows by default.</summary>
    public const int TrendRuns = 30;

    /// <summary>How many runs <see cref="Flaky"/> looks at by default (a gate policy's <c>flaky_window</c>).</summary>
    public const int FlakyWindow = 10;

    /// <summary>How many runs the history holds.</summary>
    public int RunCount => _runs.Count;

    /// <summary>The last <paramref name="runs"/> runs, a point per variant in each.</summary>
    public IReadOnlyList<TrendPoint> Trend(int runs = TrendRuns) =>
        [.. _runs.TakeLast(runs).SelectMany(r => r.Rows.GroupBy(e => e.Variant, StringComparer.Ordinal).Select(v =>
        {
            var rows = v.ToList();
            // Cost and latency are over the cases that did not end in an error (a missing cassette costs nothing and
            // takes no time); a run where every case did has no point on those charts.
            var ran = rows.Where(e => !e.Error).ToList();
            var latencies = ran.Select(e => e.LatencyMs).Order().ToArray();
            return new TrendPoint(
                r.RunId,
                r.StartedAt,
                v.Key,
                rows.Count,
                (double)rows.Count(e => e.Passed) / rows.Count,
                ran.Count == 0 || ran.Any(e => e.CostUsd is null) ? null : ran.Sum(e => e.CostUsd ?? 0) / ran.Count,
                latencies.Length == 0 ? double.NaN : latencies[Math.Clamp((int)Math.Ceiling(0.95 * latencies.Length) - 1, 0, latencies.Length - 1)]);
        }))];

    /// <summary>
    /// Scenarios (<c>variant/scenario</c>) that are flaky in the last <paramref name="window"/> runs: their result
    /// flipped between pass and fail at least twice (pass, fail, pass is noise; a single change is a regression or a
    /// fix), or their trials disagreed within one run. A case that ended in an error (a cassette miss, a time-out) was
    /// not judged, so it says nothing about flakiness and is left out.
    /// </summary>
    public IReadOnlySet<string> Flaky(int window = FlakyWindow)
    {
        var flaky = new HashSet<string>(StringComparer.Ordinal);
        var last = new Dictionary<string, (bool Passed, int Flips)>(StringComparer.Ordinal);
        foreach (var (_, _, rows) in _runs.TakeLast(window))
        {
            foreach (var scenario in rows.Where(e => !e.Error).GroupBy(e => e.Key, StringComparer.Ordinal))
            {
                var passed = scenario.Count(e => e.Passed);
                if (passed > 0 && passed < scenario.Count())
                {
                    flaky.Add(scenario.Key);
                }

                var now = passed == scenario.Count();
                var flips = last.TryGetValue(scenario.Key, out var before) ? before.Flips + (before.Passed == now ? 0 : 1) : 0;
                last[scenario.Key] = (now, flips);
                if (flips >= 2)
                {
                    flaky.Add(scenario.Key);
                }
            }
        }

        return flaky;
    }
}
