using EvalHarness.Cassettes.Format;

namespace EvalHarness.Cassettes.Server;

/// <summary>What the server did for one cassette: the interactions it served and the requests it missed.</summary>
public sealed record CassetteActivity(IReadOnlyList<InteractionTimings> Served, IReadOnlyList<CassetteMiss> Misses)
{
    /// <summary>No activity.</summary>
    public static CassetteActivity Empty { get; } = new([], []);
}
