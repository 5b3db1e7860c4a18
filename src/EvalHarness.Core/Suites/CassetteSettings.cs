using EvalHarness.Cassettes.Server;

namespace EvalHarness.Core.Suites;

/// <summary>A suite's <c>cassettes:</c> block: how its model traffic is recorded and matched. The command line can override the mode.</summary>
public sealed record CassetteSettings
{
    /// <summary>
    /// The cassette folder the suite names (<c>cassettes.dir</c>, resolved against the suite file's folder), or null.
    /// See <see cref="FolderFor"/> for which folder a run uses.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>
    /// The cassette folder of a run: the one given (the command line's <c>--cassettes</c>), else the suite's
    /// <c>cassettes.dir</c>, else <paramref name="fallback"/> (<c>cassettes</c> in the current folder).
    /// </summary>
    public string FolderFor(string? given, string fallback = "cassettes") => given ?? Directory ?? fallback;

    /// <summary>The record mode when the command line names none; <c>none</c> (replay only) by default.</summary>
    public RecordMode RecordMode { get; init; } = RecordMode.None;

    /// <summary>Ordered (the default) or unordered matching.</summary>
    public MatchMode Match { get; init; } = MatchMode.Ordered;

    /// <summary>Replacements applied to request and response bodies before they are matched or written.</summary>
    public IReadOnlyList<Cassettes.Secrets.Scrubber> Scrub { get; init; } = [];

    /// <summary>Request-body paths that matching ignores, beside the volatile ones it always ignores.</summary>
    public IReadOnlySet<string> Ignore { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Per provider, the most cases at once while recording from it live (<c>record_concurrency</c>).</summary>
    public IReadOnlyDictionary<string, int> RecordConcurrency { get; init; } = new Dictionary<string, int>();
}
