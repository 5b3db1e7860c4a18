namespace EvalHarness.Cassettes.Format;

/// <summary>Where a cassette came from: the model, when, by which harness and which client.</summary>
/// <param name="Model">The model of the first request.</param>
/// <param name="RecordedAt">When it was recorded (kept when a re-recording changes nothing).</param>
/// <param name="HarnessVersion">The EvalHarness version that wrote it.</param>
/// <param name="UserAgent">The client's user agent, e.g. the OpenAI SDK's.</param>
public sealed record CassetteMetadata(DateTimeOffset RecordedAt, string HarnessVersion, string? Model = null, string? UserAgent = null);
