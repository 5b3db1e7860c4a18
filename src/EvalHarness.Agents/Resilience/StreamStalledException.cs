using Polly.Timeout;

namespace EvalHarness.Agents.Resilience;

/// <summary>
/// A streamed model answer that had begun and then sent nothing for longer than the attempt timeout. It is a
/// timeout like any other, but it is never retried: the updates already passed on cannot be taken back.
/// </summary>
public sealed class StreamStalledException(TimeSpan idle)
    : TimeoutRejectedException($"The model's stream sent nothing for {idle.TotalSeconds:0.###} s after it had begun.", idle)
{
    /// <summary>How long the stream was silent when it was given up.</summary>
    public TimeSpan Idle => Timeout;
}
