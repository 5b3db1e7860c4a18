namespace EvalHarness.Agents.Runtime;

/// <summary>
/// Stops a run when the same tool is called with the same arguments <see cref="Repeats"/> times within the
/// last <see cref="Window"/> tool calls: the model is going round in circles.
/// </summary>
public sealed record LoopDetectionOptions
{
    /// <summary>Creates options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Repeats below 2 or a window smaller than the repeats.</exception>
    public LoopDetectionOptions(int window = 6, int repeats = 3)
    {
        if (repeats < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "loop_detection.repeats must be at least 2.");
        }

        if (window < repeats)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "loop_detection.window must be at least as large as repeats.");
        }

        Window = window;
        Repeats = repeats;
    }

    /// <summary>How many recent tool calls are compared.</summary>
    public int Window { get; }

    /// <summary>How many identical calls within the window count as a loop.</summary>
    public int Repeats { get; }
}
