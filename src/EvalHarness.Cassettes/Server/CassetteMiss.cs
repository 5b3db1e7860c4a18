using EvalHarness.Cassettes.Matching;

namespace EvalHarness.Cassettes.Server;

/// <summary>A request the server could not answer from (or record into) a cassette.</summary>
/// <param name="CassetteId">The cassette.</param>
/// <param name="InteractionIndex">The 0-based position of the request within the cassette.</param>
/// <param name="Message">What went wrong and what to do, in words.</param>
/// <param name="Difference">For a changed request, the first difference from the recorded one.</param>
public sealed record CassetteMiss(string CassetteId, int InteractionIndex, string Message, JsonDifference? Difference = null);
