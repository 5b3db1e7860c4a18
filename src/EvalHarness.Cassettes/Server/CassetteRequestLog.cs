namespace EvalHarness.Cassettes.Server;

/// <summary>One request the cassette server answered, for a log line.</summary>
/// <param name="Time">When the request arrived.</param>
/// <param name="CassetteId">The cassette, or null when the URL named none.</param>
/// <param name="Interaction">The 1-based interaction the request was (or would have been) within its cassette; 0 when none.</param>
/// <param name="Outcome">What the server did.</param>
/// <param name="Status">The status answered; 0 when the connection was dropped (a recorded fault).</param>
/// <param name="ElapsedMs">How long the answer took, in milliseconds.</param>
/// <param name="Message">For a miss, what went wrong (the difference, or why a recording was not written); else null.</param>
public sealed record CassetteRequestLog(DateTimeOffset Time, string? CassetteId, int Interaction, RequestOutcome Outcome, int Status, double ElapsedMs, string? Message = null);
