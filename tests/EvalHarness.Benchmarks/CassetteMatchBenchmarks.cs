using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Matching;
using EvalHarness.Cassettes.Server;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Matching a request to its recorded interaction in a cassette of 10 or 1,000 interactions: the structural diff
/// alone (<see cref="JsonDiff.First"/>), and a replayed call through a real <see cref="CassetteServer"/> in replay
/// mode, ordered and unordered. The request to match comes after every other one in the cassette, the worst case
/// for unordered matching, which diffs it against each unused interaction before it. The baseline is the one diff
/// of a request against its equal recording, all that ordered matching needs.
/// </summary>
/// <remarks>
/// The cassette holds Interactions - 1 other requests, then Interactions copies of the request matched, so
/// consecutive calls each find the next unused copy. Ordered calls send every request of the cassette in turn;
/// unordered calls send the matched request only. When a cassette is used up its activity is taken, and the next
/// call loads it again: that load is amortised over the calls (over 2n - 1 of them ordered, n unordered).
/// </remarks>
[MemoryDiagnoser]
public class CassetteMatchBenchmarks
{
    private const string Id = "bench/default/match/t1";
    private readonly HashSet<string> _ignored = new(EvalHarness.Cassettes.Protocols.WireProtocols.OpenAICompatible.VolatilePaths, StringComparer.Ordinal);
    private string _root = null!;
    private JsonElement[] _others = null!;
    private JsonElement _recorded;
    private JsonElement _request;
    private byte[] _requestBytes = null!;
    private byte[][] _orderedRequests = null!;
    private CassetteServer _ordered = null!;
    private CassetteServer _unordered = null!;
    private HttpClient _orderedClient = null!;
    private HttpClient _unorderedClient = null!;
    private Uri _orderedUrl = null!;
    private Uri _unorderedUrl = null!;
    private int _orderedNext;
    private int _unorderedNext;

    [Params(10, 1_000)]
    public int Interactions { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _root = OpenAIWire.TempFolder("match");
        var store = new CassetteStore(_root);
        var matched = OpenAIWire.FirstTurn(1_000_000);
        var path = OpenAIWire.Write(store, Id, [.. Enumerable.Range(0, Interactions - 1).Select(OpenAIWire.Nth), .. Enumerable.Repeat(matched, Interactions)]);

        // As the server sees them: the recordings read from the file, the request parsed from the wire.
        var cassette = CassetteStore.Read(path);
        _others = [.. cassette.Interactions.Take(Interactions - 1).Select(i => i.Request.Body)];
        _recorded = cassette.Interactions[^1].Request.Body;
        _requestBytes = OpenAIWire.Wire(matched.Request.Body);
        _request = JsonDocument.Parse(_requestBytes).RootElement;
        _orderedRequests = [.. cassette.Interactions.Select(i => OpenAIWire.Wire(i.Request.Body))];

        _ordered = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _root, Match = MatchMode.Ordered });
        _unordered = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _root, Match = MatchMode.Unordered });
        (_orderedClient, _unorderedClient) = (Loopback.Client(), Loopback.Client());
        _orderedUrl = new Uri(_ordered.BaseAddressFor(Id), "v1/chat/completions");
        _unorderedUrl = new Uri(_unordered.BaseAddressFor(Id), "v1/chat/completions");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _orderedClient.Dispose();
        _unorderedClient.Dispose();
        await _ordered.DisposeAsync();
        await _unordered.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>One diff of a request against its equal recording.</summary>
    [Benchmark(Baseline = true)]
    public bool DiffOrdered() => JsonDiff.First(_recorded, _request, _ignored) is null;

    /// <summary>The diffs unordered matching does for the last request: every other interaction, then the match.</summary>
    [Benchmark]
    public bool DiffUnorderedWorstCase()
    {
        foreach (var other in _others)
        {
            if (JsonDiff.First(other, _request, _ignored) is null)
            {
                return false;
            }
        }

        return JsonDiff.First(_recorded, _request, _ignored) is null;
    }

    [Benchmark]
    public async Task<int> HttpOrdered()
    {
        var length = await Loopback.PostAsync(_orderedClient, _orderedUrl, _orderedRequests[_orderedNext++]);
        if (_orderedNext == _orderedRequests.Length)
        {
            _orderedNext = 0;
            await _ordered.TakeActivityAsync(Id);
        }

        return length;
    }

    [Benchmark]
    public async Task<int> HttpUnorderedWorstCase()
    {
        var length = await Loopback.PostAsync(_unorderedClient, _unorderedUrl, _requestBytes);
        if (++_unorderedNext == Interactions)
        {
            _unorderedNext = 0;
            await _unordered.TakeActivityAsync(Id);
        }

        return length;
    }
}
