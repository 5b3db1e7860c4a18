using BenchmarkDotNet.Attributes;
using EvalHarness.Cassettes.Format;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Loading one cassette file of 10 to 10,000 interactions (about 6 KB each, as the example suite's recordings):
/// <see cref="CassetteStore.Read"/> of a path and <see cref="CassetteStore.Load"/> of an id. The baseline reads the
/// same file's bytes with <see cref="File.ReadAllBytes"/>, so the ratio is the cost of parsing over I/O.
/// </summary>
[MemoryDiagnoser]
public class CassetteBenchmarks
{
    private const string Id = "bench/default/long-conversation/t1";
    private string _root = null!;
    private string _path = null!;
    private CassetteStore _store = null!;

    [Params(10, 100, 1_000, 10_000)]
    public int Interactions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = OpenAIWire.TempFolder("cassette");
        _store = new CassetteStore(_root);
        _path = OpenAIWire.Write(_store, Id, [.. Enumerable.Range(0, Interactions).Select(OpenAIWire.Nth)]);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true)]
    public int ReadAllBytes() => File.ReadAllBytes(_path).Length;

    [Benchmark]
    public int Read() => CassetteStore.Read(_path).Interactions.Count;

    [Benchmark]
    public int Load() => _store.Load(Id)!.Interactions.Count;
}
