namespace EvalHarness.Cassettes.Format;

/// <summary>How long the upstream took, in milliseconds: to the first byte of the response, and in total.</summary>
public readonly record struct InteractionTimings(double FirstByteMs, double TotalMs);
