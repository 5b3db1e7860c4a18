using EvalHarness.Cassettes.Server;

using EvalHarness.Core.Results;

namespace EvalHarness.Core.Running;

/// <summary>How to run a suite: where the cassettes are, replay or record, and how many cases at once.</summary>
public sealed record RunOptions
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

    /// <summary>The API key sent upstream when recording live; never written to a cassette.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Keys by provider (<c>openai</c>, <c>anthropic</c>) when recording live; each wins over <see cref="ApiKey"/> for its provider.</summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Where Anthropic requests go when recording, when not to <see cref="Upstream"/>.</summary>
    public string? AnthropicUpstream { get; init; }

    /// <summary>How many cases run at once.</summary>
    public int Concurrency { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>The clock for run ids and timestamps.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Told of each case as it finishes (from several threads).</summary>
    public Action<CaseResult>? OnCaseCompleted { get; init; }
}
