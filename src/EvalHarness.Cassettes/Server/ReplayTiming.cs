namespace EvalHarness.Cassettes.Server;

/// <summary>How fast replayed answers come back.</summary>
public enum ReplayTiming
{
    /// <summary>At once: the default, for CI.</summary>
    Instant,

    /// <summary>With the recorded timing: the first byte and every streamed event at their recorded offsets.</summary>
    Realistic,
}
