namespace EvalHarness.Cassettes.Server;

/// <summary>Names of record and match modes as users write them (<c>new_episodes</c>, <c>unordered</c>).</summary>
public static class RecordModes
{
    /// <summary>The record modes by name.</summary>
    public static IReadOnlyDictionary<string, RecordMode> Names { get; } = new Dictionary<string, RecordMode>(StringComparer.Ordinal)
    {
        ["none"] = RecordMode.None,
        ["once"] = RecordMode.Once,
        ["new_episodes"] = RecordMode.NewEpisodes,
        ["all"] = RecordMode.All,
    };

    /// <summary>The match modes by name.</summary>
    public static IReadOnlyDictionary<string, MatchMode> Matches { get; } = new Dictionary<string, MatchMode>(StringComparer.Ordinal)
    {
        ["ordered"] = MatchMode.Ordered,
        ["unordered"] = MatchMode.Unordered,
    };

    /// <summary>The name of a record mode.</summary>
    public static string Name(RecordMode mode) => Names.First(n => n.Value == mode).Key;
}
