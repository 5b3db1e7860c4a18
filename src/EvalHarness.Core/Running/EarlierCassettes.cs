using EvalHarness.Cassettes.Format;

namespace EvalHarness.Core.Running;

/// <summary>
/// A recording case's cassette files as they were before it ran. A case that ends in an error recorded only part of
/// what it would have (a script or provider that failed half-way): the files it had are put back, so a good recording
/// is never replaced by a shorter one. A cassette the case recorded for the first time stays, as the record of what
/// happened.
/// </summary>
internal sealed class EarlierCassettes
{
    private readonly CassetteStore _store;
    private readonly List<(string Id, byte[] Bytes)> _files = [];

    private EarlierCassettes(CassetteStore store) => _store = store;

    /// <summary>Reads the files of <paramref name="cassetteIds"/> that exist now.</summary>
    public static EarlierCassettes Take(CassetteStore store, IEnumerable<string> cassetteIds)
    {
        var earlier = new EarlierCassettes(store);
        foreach (var id in cassetteIds)
        {
            var path = store.PathFor(id);
            if (File.Exists(path))
            {
                earlier._files.Add((id, File.ReadAllBytes(path)));
            }
        }

        return earlier;
    }

    /// <summary>Puts back each file the recording changed (<see cref="CassetteStore.Restore"/>); returns their paths.</summary>
    public IReadOnlyList<string> Restore()
    {
        var restored = new List<string>();
        foreach (var (id, bytes) in _files)
        {
            var path = _store.PathFor(id);
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                continue;
            }

            _store.Restore(id, bytes);
            restored.Add(path);
        }

        return restored;
    }
}
