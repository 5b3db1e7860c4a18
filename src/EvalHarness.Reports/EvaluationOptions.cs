using EvalHarness.Cassettes.Server;
using EvalHarness.Core.UnderTest;

namespace EvalHarness.Reports;

/// <summary>How <see cref="Evaluation.RunAsync"/> runs a suite: the same choices as <c>evalh run</c> and <c>evalh record</c>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>
    /// The cassette folder (relative to the current folder unless rooted). Default: the suite's <c>cassettes.dir</c>,
    /// else <c>cassettes</c>.
    /// </summary>
    public string? CassetteDirectory { get; init; }

    /// <summary>Where runs, the history and baselines go. Default <c>reports</c>.</summary>
    public string ReportsDirectory { get; init; } = "reports";

    /// <summary>The agent under test, given in code; null runs the agent the suite names.</summary>
    public OwnAgent? Agent { get; init; }

    /// <summary>The record mode; null for the suite's <c>cassettes.record_mode</c> (replay unless it says otherwise), or <c>all</c> with an <see cref="Upstream"/>.</summary>
    public RecordMode? Mode { get; init; }

    /// <summary>Where to record from: <c>scripted</c> (the suite's script file) or a base URL; null to replay.</summary>
    public string? Upstream { get; init; }

    /// <summary>A gate policy file; null for no gate.</summary>
    public string? PolicyFile { get; init; }

    /// <summary>The run to compare with (a run folder, results.json or baseline file); null for the suite's blessed baseline.</summary>
    public string? Baseline { get; init; }

    /// <summary>How many cases run at once; null for the default.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Only scenarios matching one of these (a name with <c>*</c>, or <c>tag:&lt;tag&gt;</c>); empty for all.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>
    /// Lets the suite use files and folders outside its repository (or, in none, its folder), as <c>--allow-outside</c> does;
    /// off by default.
    /// </summary>
    public bool AllowOutside { get; init; }

    /// <summary>An OTLP/HTTP endpoint to export the run's traces to (as <c>--otlp</c>); null reads <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>Only these variants; empty for all.</summary>
    public IReadOnlyList<string> Variants { get; init; } = [];
}
