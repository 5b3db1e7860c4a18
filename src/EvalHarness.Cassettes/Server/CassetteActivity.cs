using EvalHarness.Cassettes.Format;

namespace EvalHarness.Cassettes.Server;

/// <summary>What the server did for one cassette: the interactions it served (replayed or recorded) and the requests it missed.</summary>
/// <param name="Interactions">Each request answered, with its response and timings, in the order served.</param>
/// <param name="Misses">Requests that could not be answered from (or recorded into) the cassette.</param>
public sealed record CassetteActivity(IReadOnlyList<Interaction> Interactions, IReadOnlyList<CassetteMiss> Misses)
{
    /// <summary>No activity.</summary>
    public static CassetteActivity Empty { get; } = new([], []);

    /// <summary>The exchanges with the agent's tool servers (MCP, HTTP APIs), replayed or recorded, in the order answered.</summary>
    public IReadOnlyList<ServedToolExchange> Tools { get; init; } = [];

    /// <summary>The timings of the interactions served, in order.</summary>
    public IReadOnlyList<InteractionTimings> Served => [.. Interactions.Select(i => i.Timings)];
}
