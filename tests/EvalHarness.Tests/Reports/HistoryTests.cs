using EvalHarness.Core.Results;
using EvalHarness.Reports.History;
using EvalHarness.Tests.Support;
using static EvalHarness.Tests.Reports.RunWriterTests;

namespace EvalHarness.Tests.Reports;

public sealed class HistoryTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static RunResult At(int minute, params CaseResult[] cases) =>
        Run(cases) with { RunId = $"run{minute:00}", StartedAt = new DateTimeOffset(2026, 11, 22, 10, minute, 0, TimeSpan.Zero), Git = new GitInfo("0123456789abcdef", "main") };

    [Fact]
    public async Task Append_WritesOneRowPerCaseAndTheHeaderOnce()
    {
        var path = _temp.Combine("history.csv");

        await HistoryFile.AppendAsync(path, At(1, Case("a", true), Case("b", false)), Ct);
        await HistoryFile.AppendAsync(path, At(2, Case("a", true)), Ct);
        var lines = await File.ReadAllLinesAsync(path, Ct);

        Assert.Equal("run_id,started_at,suite,variant,scenario,trial,passed,error,steps,input_tokens,output_tokens,cost_usd,latency_ms,git_commit,git_branch", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal("run01,2026-11-22T10:01:00.000Z,support,default,a,1,True,False,2,900,40,0.000159,813.7,0123456789abcdef,main", lines[1]);
    }

    [Fact]
    public async Task Read_KeepsTheSuiteAndRunsUpToTheGivenTime()
    {
        var path = _temp.Combine("history.csv");
        await HistoryFile.AppendAsync(path, At(1, Case("a", true)), Ct);
        await HistoryFile.AppendAsync(path, At(2, Case("a", false)) with { Suite = "other" }, Ct);
        await HistoryFile.AppendAsync(path, At(3, Case("a", false)), Ct);

        var upTo2 = await HistoryFile.ReadAsync(path, "support", new DateTimeOffset(2026, 11, 22, 10, 2, 0, TimeSpan.Zero), cancellationToken: Ct);

        Assert.Equal(["run01"], upTo2.Select(e => e.RunId));
        Assert.Empty(await HistoryFile.ReadAsync(_temp.Combine("absent.csv"), "support", DateTimeOffset.MaxValue, cancellationToken: Ct));
    }

    [Fact]
    public async Task Append_ConcurrentRuns_NeverInterleaveRows()
    {
        var path = _temp.Combine("history.csv");
        var runs = Enumerable.Range(0, 8).Select(i => At(i, [.. Enumerable.Range(0, 200).Select(j => Case($"s{j}", true))]) with { RunId = $"run{i}" }).ToList();

        await Task.WhenAll(runs.Select(r => Task.Run(() => HistoryFile.AppendAsync(path, r, Ct), Ct)));
        var read = await HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, cancellationToken: Ct);

        Assert.Equal(1600, read.Count);
        Assert.Single(await File.ReadAllLinesAsync(path, Ct), l => l.StartsWith("run_id", StringComparison.Ordinal));
        Assert.All(read.GroupBy(e => e.RunId), g => Assert.Equal(Enumerable.Range(0, 200).Select(j => $"s{j}"), g.Select(e => e.Scenario)));
    }

    [Fact]
    public async Task Read_NotAHistoryFile_NamesIt()
    {
        var path = _temp.Write("history.csv", "run_id,started_at\nx,not-a-date\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, cancellationToken: Ct));

        Assert.StartsWith($"{path}: not a history file EvalHarness can read", error.Message, StringComparison.Ordinal);
    }

    /// <summary>60 runs of 300 cases (about 2 MB, many of the reader's blocks), a flip now and then, appended to what <paramref name="path"/> holds.</summary>
    private static async Task WriteRunsAsync(string path, int runs = 60)
    {
        for (var r = 0; r < runs; r++)
        {
            var run = At(0, [.. Enumerable.Range(0, 300).Select(j => Case($"s{j}", (r + j) % 7 != 0) with { LatencyMs = (r * 300) + j })])
                with { RunId = $"run{r:000}", StartedAt = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero).AddMinutes(r) };
            await HistoryFile.AppendAsync(path, run, Ct);
        }
    }

    [Fact]
    public async Task Read_TheLastRuns_GivesTheSameTrendAndFlakiness_AsTheWholeFile()
    {
        var path = _temp.Combine("history.csv");
        await WriteRunsAsync(path);

        var all = new RunHistory(await HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, cancellationToken: Ct));
        var last = await HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, RunHistory.TrendRuns, Ct);

        Assert.Equal(60, all.RunCount);
        Assert.Equal(RunHistory.TrendRuns + HistoryFile.OutOfOrderRuns, new RunHistory(last).RunCount);
        Assert.All(last.GroupBy(e => e.RunId), run => Assert.Equal(300, run.Count())); // no run cut at a block's edge
        Assert.Equal(all.Trend(), new RunHistory(last).Trend());
        Assert.Equal(all.Flaky(), new RunHistory(last).Flaky());
    }

    [Fact]
    public async Task Read_TheLastRuns_StopsReadingBeforeThem()
    {
        // A row no reader understands, near the file's start: reading the last 30 runs never gets there; reading all does, and says where.
        var path = _temp.Write("history.csv", "run_id,started_at,suite,variant,scenario,trial,passed,error,steps,cost_usd,latency_ms,git_commit\r\nrun,yesterday,support\r\n");
        await WriteRunsAsync(path);

        var last = await HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, RunHistory.TrendRuns, Ct);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, cancellationToken: Ct));

        Assert.Equal("run059", last[^1].RunId);
        Assert.StartsWith($"{path}: not a history file EvalHarness can read (line 2: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_ABadRowFarFromTheEnd_IsNamedByItsLine()
    {
        var path = _temp.Combine("history.csv");
        await WriteRunsAsync(path, runs: 20);
        await File.AppendAllTextAsync(path, "run020,2026-11-22T00:20:00.000Z,support,default,s0,1,maybe,False,2,,1,abc,main\r\n", Ct);
        await WriteRunsAsync(path, runs: 20);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, RunHistory.TrendRuns, Ct));

        Assert.Contains("(line 6002: ", error.Message, StringComparison.Ordinal); // the header, 20 runs of 300, then it
    }

    [Fact]
    public async Task Read_UpToAGivenTime_CountsOnlyTheRunsBeforeIt()
    {
        var path = _temp.Combine("history.csv");
        await WriteRunsAsync(path);

        var upTo20 = await HistoryFile.ReadAsync(path, "support", new DateTimeOffset(2026, 11, 22, 0, 20, 0, TimeSpan.Zero), 10, Ct);

        Assert.Equal(Enumerable.Range(21 - 10 - HistoryFile.OutOfOrderRuns, 10 + HistoryFile.OutOfOrderRuns).Select(r => $"run{r:000}"), upTo20.Select(e => e.RunId).Distinct());
    }

    [Fact]
    public async Task Read_ALineLongerThanABlock_AndNoLineEndAtTheEnd_ReadWhole()
    {
        var path = _temp.Combine("history.csv");
        await HistoryFile.AppendAsync(path, At(1, Case("a", true)) with { Git = new GitInfo("0123456789abcdef", new string('b', 600_000)) }, Ct);
        await HistoryFile.AppendAsync(path, At(2, Case("a", false)), Ct);
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path, Ct)).TrimEnd(), Ct); // as a hand edit leaves it

        var read = await HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, 1, Ct);

        Assert.Equal([("run01", true), ("run02", false)], read.Select(e => (e.RunId, e.Passed)));
    }

    [Fact]
    public void Flaky_TwoFlipsOrMixedTrials_AreFlaky_OneChangeIsNot()
    {
        static HistoryEntry E(int run, string scenario, bool passed, int trial = 1) =>
            new($"r{run}", new DateTimeOffset(2026, 11, 22, 10, run, 0, TimeSpan.Zero), "support", "default", scenario, trial, passed, false, 2, 0.001m, 100, "");
        var history = new RunHistory([
            E(1, "flips", true), E(2, "flips", false), E(3, "flips", true),
            E(1, "regressed", true), E(2, "regressed", true), E(3, "regressed", false),
            E(1, "steady", true), E(2, "steady", true), E(3, "steady", true),
            E(3, "mixed", true, 1), E(3, "mixed", false, 2),
        ]);

        Assert.Equal(["default/flips", "default/mixed"], history.Flaky().Order());
        Assert.DoesNotContain("default/flips", history.Flaky(window: 2)); // only r2, r3 in view: one flip
    }

    [Fact]
    public void Flaky_ACaseThatErrored_WasNotJudged_AndMakesNoFlip()
    {
        static HistoryEntry E(int run, bool passed, bool error = false) =>
            new($"r{run}", new DateTimeOffset(2026, 11, 22, 10, run, 0, TimeSpan.Zero), "support", "default", "s", 1, passed, error, 2, 0.001m, 100, "");

        // A cassette miss between two passing runs (a prompt edited, then reverted), then a real regression.
        var history = new RunHistory([E(1, true), E(2, false, error: true), E(3, true), E(4, false)]);

        Assert.Empty(history.Flaky());
    }

    [Fact]
    public void Trend_APointPerVariantPerRun_OldestFirst()
    {
        static HistoryEntry E(int run, string variant, bool passed, double latency) =>
            new($"r{run}", new DateTimeOffset(2026, 11, 22, 10, run, 0, TimeSpan.Zero), "support", variant, "s", 1, passed, false, 2, 0.002m, latency, "");
        var history = new RunHistory([E(2, "a", true, 100), E(1, "a", false, 300), E(2, "b", false, 200), E(2, "a", false, 500)]);

        var trend = history.Trend();

        Assert.Equal([("r1", "a", 0.0), ("r2", "a", 0.5), ("r2", "b", 0.0)], trend.Select(p => (p.RunId, p.Variant, p.SuccessRate)));
        Assert.Equal(500, trend[1].LatencyP95Ms);
        Assert.Equal(0.002m, trend[1].CostPerCase);
    }

    [Fact]
    public void Trend_CostAndLatency_LeaveOutCasesThatErred()
    {
        static HistoryEntry E(int run, bool error, decimal cost, double latency) =>
            new($"r{run}", new DateTimeOffset(2026, 11, 22, 10, run, 0, TimeSpan.Zero), "support", "a", $"s{latency}", 1, !error, error, 2, cost, latency, "");
        var history = new RunHistory([E(1, false, 0.002m, 400), E(1, true, 0m, 0), E(2, true, 0m, 0)]);

        var trend = history.Trend();

        // Run 1: its missing cassette does not halve the cost or the latency; run 2 ran nothing, so it has no point on them.
        Assert.Equal([(0.002m, 400.0), (null, double.NaN)], trend.Select(p => (p.CostPerCase, p.LatencyP95Ms)));
        Assert.Equal([0.5, 0.0], trend.Select(p => p.SuccessRate));
    }
}
