using EvalHarness.Cassettes.Server;

using EvalHarness.Core.Results;

namespace EvalHarness.Core.Running;

/// <summary>How to run a suite: where the cassettes are, replay or record, and how many cases at once.</summary>
internal sealed record RunOptions
{
    /// <summary>The cassette folder.</summary>
    public required string CassetteDirectory { get; init; }

    /// <summary>Replay (<see cref="RecordMode.None"/>, the default) or record.</summary>
    public RecordMode Mode { get; init; } = RecordMode.None;

    /// <summary>Instant (default) or realistic replay timing.</summary>
    public ReplayTiming Timing { get; init; } = ReplayTiming.Instant;

    /// <summary>How requests find their recorded interactions.</summary>
    public MatchMode Match { get; init; } = MatchMode.Ordered;

    /// <summary>Replacements applied to bodies before they are matched or written.</summary>
    public IReadOnlyList<Cassettes.Secrets.Scrubber> Scrubbers { get; init; } = [];

    /// <summary>Request-body paths matching ignores.</summary>
    public IReadOnlySet<string> IgnoredRequestPaths { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The upstream to record from (a URL, or the scripted upstream's template).</summary>
    public string? Upstream { get; init; }

    /// <summary>What cassettes record as their source.</summary>
    public string RecordedFrom { get; init; } = "live";

    /// <summary>
    /// The API keys sent upstream when recording live, by provider (<c>openai</c>, <c>anthropic</c>); never written to a
    /// cassette. A provider with no key gets a placeholder (a replay, the scripted upstream).
    /// </summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Where a protocol's requests go when recording, by its name, when not to <see cref="Upstream"/>.</summary>
    public IReadOnlyDictionary<string, string> ProtocolUpstreams { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How many cases run at once when nothing is waited for: a replay, or a recording from the scripted upstream.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>
    /// The most cases at once while recording from a live provider, where each case mostly waits on the network; it
    /// adapts down on 429s and <c>Retry-After</c> and recovers (<see cref="AdaptiveConcurrency"/>).
    /// </summary>
    public int LiveConcurrency { get; init; } = DefaultLiveConcurrency;

    /// <summary>Per provider (<c>openai</c>, <c>anthropic</c>), the most cases at once while recording live, below <see cref="LiveConcurrency"/>.</summary>
    public IReadOnlyDictionary<string, int> ProviderConcurrency { get; init; } = new Dictionary<string, int>();

    /// <summary>Whether the run's model calls go to a live provider (recording, not from the scripted upstream).</summary>
    public bool ReachesLiveProvider => Mode != RecordMode.None && Upstream is not null && RecordedFrom != "scripted";

    /// <summary>The replay default: two cases per core keep both the agent and the cassette server busy.</summary>
    public static int DefaultConcurrency => Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>The live default: a provider answers in seconds, so many cases wait at once.</summary>
    public const int DefaultLiveConcurrency = 16;

    /// <summary>How many cases run at once for a case of <paramref name="provider"/>: the live limit when recording live, else <see cref="Concurrency"/>.</summary>
    public int ConcurrencyFor(string provider) => !ReachesLiveProvider ? Concurrency
        : Math.Min(LiveConcurrency, ProviderConcurrency.TryGetValue(provider, out var limit) ? limit : LiveConcurrency);

    /// <summary>Wall-clock limit of one case; a case past it is an error. Null for none.</summary>
    public TimeSpan? CaseTimeout { get; init; }

    /// <summary>Only these variants; empty for all.</summary>
    public IReadOnlyList<string> Variants { get; init; } = [];

    /// <summary>
    /// Only scenarios matching one of these: a name with <c>*</c> wildcards, or <c>tag:&lt;tag&gt;</c>. Empty for all.
    /// </summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>Run only every n-th case, starting at the i-th (1-based): <c>--shard i/n</c>. Null for all.</summary>
    public (int Index, int Count)? Shard { get; init; }

    /// <summary>Whether a case is selected by <see cref="Shard"/>, <see cref="Variants"/> and <see cref="Filters"/>.</summary>
    public bool Selects(EvalCase evalCase)
    {
        ArgumentNullException.ThrowIfNull(evalCase);
        return (Shard is not { } shard || evalCase.Index % shard.Count == shard.Index - 1)
            && (Variants.Count == 0 || Variants.Contains(evalCase.Variant.Name))
            && (Filters.Count == 0 || Filters.Any(f => f.StartsWith("tag:", StringComparison.Ordinal)
                ? evalCase.Scenario.Tags.Contains(f[4..])
                : System.Text.RegularExpressions.Regex.IsMatch(evalCase.Scenario.Name, "^" + System.Text.RegularExpressions.Regex.Escape(f).Replace("\\*", ".*", StringComparison.Ordinal) + "$")));
    }

    /// <summary>The clock for run ids and timestamps.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The commit and branch to record; null to find them from the CI variables or the suite's git checkout.</summary>
    public GitInfo? Git { get; init; }

    /// <summary>
    /// Where finished cases' details go, so that memory stays flat however many cases run (the CLI's choice);
    /// null keeps every case whole in <see cref="RunResult.Cases"/>. The caller disposes it after reporting.
    /// </summary>
    public CaseSpool? Spool { get; init; }

    /// <summary>
    /// The agent under test, given in code (a test project's own agent); null to run the agent the suite names.
    /// It replaces the suite's agent in every variant.
    /// </summary>
    public UnderTest.OwnAgent? Agent { get; init; }

    /// <summary>Told of each case as it finishes (from several threads).</summary>
    public Action<CaseResult>? OnCaseCompleted { get; init; }

    /// <summary>The run's id, when the caller names its folder before the run ends (a live progress file); null for a new one.</summary>
    public string? RunId { get; init; }

    /// <summary>When the run started, with <see cref="RunId"/>; null for now.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>
    /// An OTLP/HTTP endpoint (<c>http://localhost:4318</c>) to export the run's traces to, one trace per case; null reads
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, and nothing is exported when that is unset too.
    /// </summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>The cassette server's port on 127.0.0.1; null for any free one (a served agent already running names one).</summary>
    public int? Port { get; init; }

    /// <summary>Hears what the run wants its user told besides the cases (where its traces go).</summary>
    public Action<string>? OnNotice { get; init; }
}
