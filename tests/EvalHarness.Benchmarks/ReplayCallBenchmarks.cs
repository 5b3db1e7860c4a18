using BenchmarkDotNet.Attributes;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Benchmarks;

/// <summary>
/// One replayed model call (an OpenAI chat completion, the exact recorded request body POSTed over loopback) through
/// the <see cref="CassetteServer"/>, against the baseline: a bare Kestrel endpoint on 127.0.0.1 that reads the
/// request body and answers the same response bytes with the same headers. The budget: a replayed call costs at most
/// 1.25 times the bare round trip.
/// </summary>
/// <remarks>
/// <see cref="ReplayedCall"/> replays a cassette of 1,000 identical interactions, ordered, each call the next one.
/// The cassette is loaded (read, parsed and prepared for replay) before each iteration, so this is the call alone:
/// the budget's measure. <see cref="FirstCallOfACassette"/> is a case's first call with its cassette's loading: a
/// cassette of one interaction, loaded from its file, then its activity taken (1,000 such files, used in turn).
/// </remarks>
[InvocationCount(InvocationsPerIteration)]
[MemoryDiagnoser]
public class ReplayCallBenchmarks
{
    private const int Repeats = 1_000;
    private const int InvocationsPerIteration = 512;
    private const int FirstCallCassettes = 1_000;
    private const string Id = "bench/default/replay/t1";
    private string _root = null!;
    private CassetteServer _server = null!;
    private WebApplication _bare = null!;
    private HttpClient _serverClient = null!;
    private HttpClient _bareClient = null!;
    private Uri _serverUrl = null!;
    private Uri _bareUrl = null!;
    private string[] _firstCallIds = null!;
    private Uri[] _firstCallUrls = null!;
    private byte[] _request = null!;
    private int _next;
    private int _nextCassette;

    [GlobalSetup]
    public async Task Setup()
    {
        _root = OpenAIWire.TempFolder("replay");
        var store = new CassetteStore(_root);
        var interaction = OpenAIWire.FirstTurn(100);
        OpenAIWire.Write(store, Id, [.. Enumerable.Repeat(interaction, Repeats)]);
        _firstCallIds = [.. Enumerable.Range(0, FirstCallCassettes).Select(i => $"bench/default/first-call-{i:0000}/t1")];
        foreach (var id in _firstCallIds)
        {
            OpenAIWire.Write(store, id, [interaction]);
        }

        _request = OpenAIWire.Wire(interaction.Request.Body);
        _server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _root });
        _serverUrl = new Uri(_server.BaseAddressFor(Id), "v1/chat/completions");
        _firstCallUrls = [.. _firstCallIds.Select(id => new Uri(_server.BaseAddressFor(id), "v1/chat/completions"))];
        _serverClient = Loopback.Client();

        // The bare endpoint answers what the server answers: the same bytes and headers, taken from one replay.
        using var probe = Loopback.Client();
        using var replayed = await probe.PostAsync(_serverUrl, new ByteArrayContent(_request) { Headers = { ContentType = new("application/json") } });
        var answer = await replayed.Content.ReadAsByteArrayAsync();
        var contentType = replayed.Content.Headers.ContentType!.ToString();
        var latency = replayed.Headers.GetValues(CassetteServer.LatencyHeader).Single();
        await _server.TakeActivityAsync(Id);

        Uri bareAddress;
        (_bare, bareAddress) = await Loopback.StartAsync(app => app.Map("/c/{**rest}", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = contentType;
            context.Response.Headers[CassetteServer.LatencyHeader] = latency;
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        }));
        _bareUrl = new Uri(bareAddress, $"c/{Id}/v1/chat/completions");
        _bareClient = Loopback.Client();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _serverClient.Dispose();
        _bareClient.Dispose();
        await _server.DisposeAsync();
        await _bare.StopAsync();
        await _bare.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<int> BareKestrel() => Loopback.PostAsync(_bareClient, _bareUrl, _request);

    /// <summary>Starts the cassette afresh and loads it with one call, so that the iteration measures calls alone.</summary>
    [IterationSetup(Target = nameof(ReplayedCall))]
    public void LoadCassette()
    {
        _server.TakeActivityAsync(Id).GetAwaiter().GetResult();
        Loopback.PostAsync(_serverClient, _serverUrl, _request).GetAwaiter().GetResult();
        _next = 1;
    }

    [Benchmark]
    public async Task<int> ReplayedCall()
    {
        if (++_next > Repeats)
        {
            throw new InvalidOperationException($"The cassette has {Repeats} interactions; an iteration makes {InvocationsPerIteration} calls.");
        }

        return await Loopback.PostAsync(_serverClient, _serverUrl, _request);
    }

    [Benchmark]
    public async Task<int> FirstCallOfACassette()
    {
        var at = _nextCassette;
        _nextCassette = (at + 1) % FirstCallCassettes;
        var length = await Loopback.PostAsync(_serverClient, _firstCallUrls[at], _request);
        await _server.TakeActivityAsync(_firstCallIds[at]);
        return length;
    }
}
