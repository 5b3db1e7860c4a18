namespace EvalHarness.Cassettes.Server;

/// <summary>How a <see cref="CassetteServer"/> behaves. Validated when the server starts.</summary>
public sealed record CassetteServerOptions
{
    /// <summary>The folder that holds the cassettes.</summary>
    public required string CassetteDirectory { get; init; }

    /// <summary>Replay or record.</summary>
    public RecordMode Mode { get; init; } = RecordMode.None;

    /// <summary>The suite being run, as a miss's error names it in the command that records again; null behind <c>evalh serve</c>.</summary>
    public string? SuitePath { get; init; }

    /// <summary>
    /// Where to send requests when recording, e.g. <c>https://api.openai.com/</c>. A <c>{cassette}</c>
    /// in it is replaced by the cassette id (how the scripted upstream knows which script to play).
    /// </summary>
    public string? Upstream { get; init; }

    /// <summary>
    /// Where a protocol's requests go when recording, by the protocol's name (<c>anthropic</c> →
    /// <c>https://api.anthropic.com/</c>); a protocol not named here goes to <see cref="Upstream"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProtocolUpstreams { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>What the cassette records as its source: <c>live</c> or <c>scripted</c>.</summary>
    public string RecordedFrom { get; init; } = "live";

    /// <summary>How requests find their recorded interactions.</summary>
    public MatchMode Match { get; init; } = MatchMode.Ordered;

    /// <summary>Instant (default) or realistic replay timing.</summary>
    public ReplayTiming Timing { get; init; } = ReplayTiming.Instant;

    /// <summary>How long a recording waits for the upstream before it records a timeout.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The port to listen on; 0 (the default) takes a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Whether the server opens its loopback socket (the default). Without it, only clients built on
    /// <see cref="CassetteServer.InProcessHandler"/> reach the server: a replay whose agents all run in this process on
    /// the harness's own clients starts without Kestrel, about a tenth of a second sooner. Needs instant timing.
    /// </summary>
    public bool Listen { get; init; } = true;

    /// <summary>Paths to ignore besides each protocol's volatile ones (<see cref="Protocols.WireProtocol.VolatilePaths"/>), e.g. <c>$.user</c>, <c>$.metadata</c>, <c>$.stream_options</c>.</summary>
    public IReadOnlySet<string> IgnoredRequestPaths { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Replacements applied to every text of request and response bodies before they are matched or written.</summary>
    public IReadOnlyList<Secrets.Scrubber> Scrubbers { get; init; } = [];

    /// <summary>The clock for recording times and for the waits of realistic replay.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Secret values (API keys) that must never reach a cassette file.</summary>
    public IReadOnlyCollection<string> Secrets { get; init; } = [];

    /// <summary>The largest request body the server reads (32 MB by default); a larger one is answered 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>How long a request's body may take to arrive (60 s by default); a slower one is answered 408.</summary>
    public TimeSpan RequestBodyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether a client that starts over starts the cassette over: a request that does not match where the cassette
    /// stands but matches its interaction #1 (when recording: the first request recorded, after an answer that was not
    /// a failure) replays or records the cassette from #1 again. On for <c>evalh serve</c>, where one server outlives
    /// many runs of a client; off for runs, whose cases each start afresh.
    /// </summary>
    public bool RestartOnFirstRequest { get; init; }

    /// <summary>
    /// Whether a client may replay one cassette many times at once, each replay as an instance of its own
    /// (<c>/c/~&lt;n&gt;/&lt;cassette-id&gt;/v1</c>, see <see cref="CassetteInstance"/>): for load tests. Replay only.
    /// </summary>
    public bool Instances { get; init; }

    /// <summary>
    /// Called as a recorded interaction is replayed, before its answer is written (so before its client can see it),
    /// with the id it was served under and its recorded timings: how a load test counts model calls and model time.
    /// </summary>
    public Action<string, Format.InteractionTimings>? OnServed { get; init; }

    /// <summary>
    /// The tool servers the suite names (<c>agent.mcp</c>, <c>agent.http</c>), served to each case at
    /// <c>/c/&lt;cassette-id&gt;/mcp/&lt;name&gt;</c> and <c>/c/&lt;cassette-id&gt;/http/&lt;name&gt;</c>; reached only when recording.
    /// </summary>
    public IReadOnlyList<Tools.ToolServer> ToolServers { get; init; } = [];

    /// <summary>Called once for every request the server has answered: for a log line.</summary>
    public Action<CassetteRequestLog>? OnRequest { get; init; }

    /// <summary>Throws when the options cannot work together.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(CassetteDirectory);
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"The port {Port} is not between 0 and 65535.");
        }
        if (Mode != RecordMode.None && string.IsNullOrWhiteSpace(Upstream))
        {
            throw new ArgumentException($"Record mode '{RecordModes.Name(Mode)}' needs an upstream to record from (--upstream).");
        }

        if (!Listen && Timing != ReplayTiming.Instant)
        {
            throw new ArgumentException("A replay with recorded timing paces its answers over the socket: it needs the server to listen.");
        }

        if (Instances && Mode != RecordMode.None)
        {
            throw new ArgumentException("Cassette instances are for replay only: a recording writes one file per cassette id.");
        }

        if (MaxRequestBodyBytes <= 0)
        {
            throw new ArgumentException($"The largest request body ({MaxRequestBodyBytes} bytes) must be more than 0.");
        }

        if (RequestBodyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The request body's time-out ({RequestBodyTimeout}) must be more than 0.");
        }

        foreach (var path in IgnoredRequestPaths)
        {
            try
            {
                Matching.IgnoredPath.Normalize(path);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"The ignored path {ex.Message}", ex);
            }
        }

        foreach (var server in ToolServers)
        {
            server.Validate();
        }

        if (ToolServers.GroupBy(s => s.PathSegment).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Two tool servers are named '{twice.Key}'.");
        }

        if (Upstream is not null && !Uri.TryCreate(Upstream.Replace("{cassette}", "x", StringComparison.Ordinal), UriKind.Absolute, out _))
        {
            throw new ArgumentException($"The upstream '{Upstream}' is not an absolute URL.");
        }
    }

    /// <summary>
    /// Called when recording, as each upstream answer's headers arrive: the cassette, the status and the
    /// <c>Retry-After</c> it asked for (from <c>retry-after-ms</c> or <c>retry-after</c>), so a run can adapt to rate limits.
    /// </summary>
    public Action<string, int, TimeSpan?>? OnUpstreamAnswer { get; init; }
}
