using BenchmarkDotNet.Attributes;
using EvalHarness.Cassettes.Format;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Loading 1, 100 and 10,000 cassettes of two interactions each (a lookup and an answer, about 14 KB, as the
/// example suite's), by id through <see cref="CassetteStore.Load"/>, as a run loads one per case. The baseline reads
/// the same files' bytes with <see cref="File.ReadAllBytes"/>. The files are in the page cache after the first
/// iteration, as a CI run's are after checkout.
/// </summary>
[MemoryDiagnoser]
public class CassetteManyBenchmarks
{
    private string _root = null!;
    private CassetteStore _store = null!;
    private string[] _ids = null!;
    private string[] _paths = null!;

    [Params(1, 100, 10_000)]
    public int Cassettes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = OpenAIWire.TempFolder("cassettes");
        _store = new CassetteStore(_root);
        _ids = [.. Enumerable.Range(0, Cassettes).Select(i => $"bench/default/scenario-{i:00000}/t1")];

        // Serialised once, then written under every id with its own id inside (Save would take minutes for 10,000).
        const string Placeholder = "bench/default/placeholder/t1";
        var template = File.ReadAllText(OpenAIWire.Write(_store, Placeholder, [OpenAIWire.FirstTurn(100), OpenAIWire.SecondTurn(100)]));
        File.Delete(_store.PathFor(Placeholder));
        _paths = [.. _ids.Select(_store.PathFor)];
        Directory.CreateDirectory(Path.GetDirectoryName(_paths[0])!);
        for (var i = 0; i < _ids.Length; i++)
        {
            File.WriteAllText(_paths[i], template.Replace(Placeholder, _ids[i], StringComparison.Ordinal));
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true)]
    public long ReadAllBytes()
    {
        long bytes = 0;
        foreach (var path in _paths)
        {
            bytes += File.ReadAllBytes(path).Length;
        }

        return bytes;
    }

    [Benchmark]
    public int Load()
    {
        var interactions = 0;
        foreach (var id in _ids)
        {
            interactions += _store.Load(id)!.Interactions.Count;
        }

        return interactions;
    }
}
