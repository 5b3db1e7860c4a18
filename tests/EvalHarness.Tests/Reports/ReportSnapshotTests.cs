using System.Text.RegularExpressions;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

/// <summary>
/// The report files of a replayed, gated run against their committed snapshots (<c>__snapshots__/</c>): the codefix suite
/// from its cassettes, with a baseline, history and a failing gate, so every section shows. What changes from run to
/// run (ids, times, wall-clock timings, paths, the git commit) is scrubbed first.
/// </summary>
public sealed class ReportSnapshotTests(GatedRunFixture run) : IClassFixture<GatedRunFixture>
{
    [Fact]
    public void SummaryMarkdown_GatedRunWithBaseline_MatchesSnapshot() =>
        Snapshots.Match(Scrub(run.File("summary.md")));

    [Fact]
    public void JunitXml_GatedRun_MatchesSnapshot() =>
        Snapshots.Match(Regex.Replace(Scrub(run.File("junit.xml")), "timestamp=\"[^\"]+\"", "timestamp=\"{started-at}\""));

    [Fact]
    public void GateTable_PrintedByEvalhGate_MatchesSnapshot() =>
        Snapshots.Match(Scrub(run.GateOutput));

    [Fact]
    public void ResultsJson_GatedRun_MatchesSnapshot() =>
        Snapshots.Match(Snapshots.Json(run.File("results.json")), options => options
            .Assert(f => Assert.Equal(run.RunId, f.Field<string>("runId")))
            .Assert(f => Assert.EndsWith(Path.Combine("suites", "codefix.yaml"), f.Field<string>("suiteFile"), StringComparison.Ordinal))
            .IgnoreField("suiteKey") // keyed by where the suite lives relative to the temporary reports folder
            .IgnoreField("startedAt")
            .IgnoreField("durationMs")
            .IgnoreField("git")
            .IgnoreAllFields("harnessMs") // the harness's own time per case, on the wall clock
            .IgnoreAllFields("harnessP50Ms")
            .IgnoreAllFields("harnessP95Ms")
            .IgnoreAllFields("run_id")); // the agent's random id of a run, on its trace span

    [Fact]
    public void GateJson_GatedRun_MatchesSnapshot() =>
        Snapshots.Match(Snapshots.Json(run.File("gate.json")), options => options
            .Assert(f => Assert.Equal(run.RunId, f.Field<string>("runId")))
            .Assert(f => Assert.Equal(Path.Combine(run.Reports, "gate.yaml"), f.Field<string>("policy"))));

    private string Scrub(string text) => Snapshots.Scrub(text, (run.Reports, "{reports}"), (run.RunId, "{run-id}"));
}
