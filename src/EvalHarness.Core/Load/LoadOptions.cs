using System.Globalization;
using EvalHarness.Core.Running;

namespace EvalHarness.Core.Load;

/// <summary>
/// How to load-test a suite: which cases (<see cref="Run"/>'s cassettes, filters, variants, agent), how many at once,
/// and for how long. Bounded: at most <see cref="MaxConcurrency"/> at once, <see cref="MaxIterations"/> iterations
/// and <see cref="MaxDuration"/>. Validated by <see cref="Validate"/> before anything runs.
/// </summary>
internal sealed record LoadOptions
{
    /// <summary>The most iterations at once.</summary>
    public const int MaxConcurrency = 256;

    /// <summary>The most iterations of one load test.</summary>
    public const int MaxIterations = 100_000;

    /// <summary>The longest load test.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    /// <summary>The cases and how they replay: the cassette folder, filters, variants, the agent, a case's time limit.</summary>
    public required RunOptions Run { get; init; }

    /// <summary>How many iterations run at once (the top of the ramp, with <see cref="Ramp"/>).</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>From how many to how many at once the load rises over the test; null for <see cref="Concurrency"/> throughout.</summary>
    public (int From, int To)? Ramp { get; init; }

    /// <summary>How many iterations in all (each replays one case, round-robin); null to run for <see cref="Duration"/>.</summary>
    public int? Iterations { get; init; }

    /// <summary>How long to start new iterations; null to run <see cref="Iterations"/>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Iterations run first and left out of every figure: they pay for the JIT and the first read of each cassette.
    /// At most <see cref="MaxIterations"/>; 0 (the default) for none.
    /// </summary>
    public int Warmup { get; init; }

    /// <summary>Told when the warm-up is over and the measured iterations start.</summary>
    public Action? OnWarmedUp { get; init; }

    /// <summary>Told of each measured iteration as it finishes (from several threads).</summary>
    public Action<LoadSample>? OnIteration { get; init; }

    /// <summary>The most iterations at once: the ramp's top or <see cref="Concurrency"/>.</summary>
    public int PeakConcurrency => Ramp is { } ramp ? Math.Max(ramp.From, ramp.To) : Concurrency;

    /// <summary>Throws <see cref="ArgumentException"/> naming the option that is out of bounds.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { ("--concurrency", (int?)Concurrency), ("--ramp", Ramp?.From), ("--ramp", Ramp?.To) })
        {
            if (value is < 1 or > MaxConcurrency)
            {
                throw new ArgumentException($"{name} {value} is out of bounds: between 1 and {MaxConcurrency} iterations may run at once.");
            }
        }

        if (Iterations is not null && Duration is not null)
        {
            throw new ArgumentException("Give --iterations or --duration, not both.");
        }

        if (Iterations is < 1 or > MaxIterations)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--iterations {Iterations} is out of bounds: between 1 and {MaxIterations:N0}."));
        }

        if (Warmup is < 0 or > MaxIterations)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--warmup {Warmup} is out of bounds: between 0 and {MaxIterations:N0}."));
        }

        if (Duration is { } duration && (duration <= TimeSpan.Zero || duration > MaxDuration))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--duration {duration.TotalSeconds:0.###} s is out of bounds: more than 0 and at most {MaxDuration.TotalHours:0} hour."));
        }

        if (Run.Mode != Cassettes.Server.RecordMode.None || Run.Upstream is not null)
        {
            throw new ArgumentException("A load test only replays: it never records or calls a model provider (no --upstream, no record mode).");
        }
    }

    /// <summary>Reads a duration such as <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c> or a number of seconds.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        var (number, unit) = trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (trimmed[..^2], 0.001)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1.0)
            : trimmed.EndsWith('m') ? (trimmed[..^1], 60.0)
            : trimmed.EndsWith('h') ? (trimmed[..^1], 3600.0)
            : (trimmed, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value <= 1e7
            ? TimeSpan.FromSeconds(value * unit)
            : throw new ArgumentException($"--duration '{text}' is not a duration: write e.g. 30s, 2m, 1h or 500ms.");
    }

    /// <summary>Reads a ramp <c>from:to</c>, e.g. <c>1:16</c>.</summary>
    public static (int From, int To)? ParseRamp(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            ? (from, to)
            : throw new ArgumentException($"--ramp '{text}' is not a ramp: write from:to, e.g. 1:16 (iterations at once, rising over the test).");
    }
}
