namespace EvalHarness.Cassettes.Format;

/// <summary>One request to the provider and the response it gave.</summary>
public sealed record Interaction(RecordedRequest Request, RecordedResponse Response, InteractionTimings Timings);
