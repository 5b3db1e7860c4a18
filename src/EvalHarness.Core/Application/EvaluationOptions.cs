using EvalHarness.Cassettes.Server;
using EvalHarness.Core.UnderTest;

namespace EvalHarness.Core.Application;

/// <summary>
/// Everything a front end chooses about one evaluation of a suite: the same choices whether they come from
/// <c>evalh run</c>, <c>evalh record</c>, <c>evalh load</c>, the xunit integration or a library call. Checked when the
/// evaluation is planned (<see cref="SuiteEvaluation.OpenAsync"/>), before any case runs.
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>
    /// The cassette folder (relative to the current folder unless rooted). Default: the suite's <c>cassettes.dir</c>,
    /// else <see cref="DefaultCassetteDirectory"/>.
    /// </summary>
    public string? CassetteDirectory { get; init; }

    /// <summary>
    /// The cassette folder when neither <see cref="CassetteDirectory"/> nor the suite's <c>cassettes.dir</c> names one:
    /// <c>cassettes</c> in the current folder, or where a test found the suite (<c>SuiteGate</c>).
    /// </summary>
    public string DefaultCassetteDirectory { get; init; } = "cassettes";

    /// <summary>Where runs, the history and baselines go. Default <c>reports</c>.</summary>
    public string ReportsDirectory { get; init; } = "reports";

    /// <summary>The agent under test, given in code; null runs the agent the suite names.</summary>
    public OwnAgent? Agent { get; init; }

    /// <summary>The record mode; null for the suite's <c>cassettes.record_mode</c> (replay unless it says otherwise), or <c>all</c> with an <see cref="Upstream"/>.</summary>
    public RecordMode? Mode { get; init; }

    /// <summary>
    /// Where to record from: <c>scripted</c> (the suite's script file), <c>live</c> (each model's provider) or a base URL
    /// for every request; null to replay.
    /// </summary>
    public string? Upstream { get; init; }

    /// <summary>With the scripted upstream, the script file; null for <c>scripts/&lt;suite&gt;.yaml</c> beside the suite.</summary>
    public string? ScriptFile { get; init; }

    /// <summary>
    /// The API key of each provider (<c>openai</c>, <c>anthropic</c>) when recording live; a provider not named here is
    /// read from its usual environment variable (<c>OPENAI_API_KEY</c>, <c>ANTHROPIC_API_KEY</c>). Never written anywhere.
    /// </summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Ordered or unordered matching; null for the suite's <c>cassettes.match</c>.</summary>
    public MatchMode? Match { get; init; }

    /// <summary>Instant (the default) or realistic replay timing.</summary>
    public ReplayTiming Timing { get; init; } = ReplayTiming.Instant;

    /// <summary>A gate policy file; null for no gate.</summary>
    public string? PolicyFile { get; init; }

    /// <summary>The run to compare with (a run folder, results.json or baseline file); null for the suite's blessed baseline.</summary>
    public string? Baseline { get; init; }

    /// <summary>How many cases run at once; null for the default (two per core, or 16 while recording live).</summary>
    public int? Concurrency { get; init; }

    /// <summary>Only scenarios matching one of these (a name with <c>*</c>, or <c>tag:&lt;tag&gt;</c>); empty for all.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>Only these variants; empty for all.</summary>
    public IReadOnlyList<string> Variants { get; init; } = [];

    /// <summary>Run only every n-th case, starting at the i-th (1-based): <c>--shard i/n</c>. Null for all.</summary>
    public (int Index, int Count)? Shard { get; init; }

    /// <summary>Wall-clock limit of one case; a case past it is an error. Null for none.</summary>
    public TimeSpan? CaseTimeout { get; init; }

    /// <summary>
    /// Lets the suite use files and folders outside its repository (or, in none, its folder), as <c>--allow-outside</c> does;
    /// off by default.
    /// </summary>
    public bool AllowOutside { get; init; }

    /// <summary>An OTLP/HTTP endpoint to export the run's traces to (as <c>--otlp</c>); null reads <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>
    /// The cassette server's port on 127.0.0.1 (as <c>--port</c>); null for any free one. A served agent already running
    /// is pointed at it: <c>OPENAI_BASE_URL=http://127.0.0.1:&lt;port&gt;/v1</c>.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>Hears what the run wants its user told besides the cases (where its traces go, throttling).</summary>
    public Action<string>? OnNotice { get; init; }
}
