using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using EvalHarness.Agents.Providers;
using EvalHarness.Cassettes.Server;

namespace EvalHarness.Core.Running;

/// <summary>
/// What every case of a run shares: the cassette server, the HTTP client that carries recorded time back to the
/// cases' clocks, and one OpenAI SDK pipeline per key. <c>run</c>, <c>record</c> and <c>load</c> each start one.
/// </summary>
internal sealed class CaseHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ClientPipeline> _pipelines = new(StringComparer.Ordinal);

    private CaseHost(CassetteServer server)
    {
        Server = server;
        // The agent's model calls reach the cassette server in this process, without a socket (a process agent's, and a
        // replay with recorded timing, take the socket).
        Latency = new RecordedLatencyHandler(server.InProcessHandler(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }));
        Http = new HttpClient(Latency) { Timeout = TimeSpan.FromMinutes(5) };
    }

    public CassetteServer Server { get; }

    public RecordedLatencyHandler Latency { get; }

    public HttpClient Http { get; }

    /// <summary>Starts the cassette server with <paramref name="options"/> and the client side around it.</summary>
    public static async Task<CaseHost> StartAsync(CassetteServerOptions options, CancellationToken cancellationToken = default) =>
        new(await CassetteServer.StartAsync(options, cancellationToken));

    /// <summary>The cassette server's options for a run's options.</summary>
    public static CassetteServerOptions ServerOptions(RunOptions options) => new()
    {
        CassetteDirectory = options.CassetteDirectory,
        Mode = options.Mode,
        Upstream = options.Upstream,
        RecordedFrom = options.RecordedFrom,
        Match = options.Match,
        Timing = options.Timing,
        IgnoredRequestPaths = options.IgnoredRequestPaths,
        Scrubbers = options.Scrubbers,
        ProtocolUpstreams = options.ProtocolUpstreams,
        Secrets = [.. options.ApiKeys.Values],
        Port = options.Port ?? 0,
    };

    /// <summary>The run's OpenAI SDK pipeline for <paramref name="key"/>: the cases' clients differ only in their cassette URL.</summary>
    public ClientPipeline OpenAIPipeline(string key) => _pipelines.GetOrAdd(key, k => OpenAIChatClient.Pipeline(k, Http));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
