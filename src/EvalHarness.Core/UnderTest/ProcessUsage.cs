using System.ComponentModel;
using System.Diagnostics;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// The CPU time and peak memory of the agent processes a load test ran (<see cref="ProcessAgent"/>, one per case).
/// Only measured where a collector is in scope (<see cref="Current"/>): a plain run pays nothing for it.
/// </summary>
/// <remarks>
/// A process's figures are sampled while it runs, not read after it ends: on Linux .NET reaps the process as it exits,
/// and its <c>/proc</c> entry, where both figures come from, goes with it. The last sample misses at most the final
/// <see cref="Interval"/> of the process's CPU time.
/// </remarks>
internal sealed class ProcessUsage
{
    private static readonly AsyncLocal<ProcessUsage?> Scope = new();

    /// <summary>How often a running process is sampled.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly Lock _lock = new();

    /// <summary>The collector the agent processes started in this flow report to; null outside a load test.</summary>
    internal static ProcessUsage? Current
    {
        get => Scope.Value;
        set => Scope.Value = value;
    }

    /// <summary>How many processes were measured.</summary>
    public int Processes { get; private set; }

    /// <summary>Their CPU time (user and system), summed.</summary>
    public TimeSpan Cpu { get; private set; }

    /// <summary>The largest peak working set of one of them, in bytes.</summary>
    public long PeakWorkingSetBytes { get; private set; }

    /// <summary>Starts sampling <paramref name="process"/> when a collector is in scope; disposing it stops and reports. Null otherwise.</summary>
    internal static IDisposable? Watch(Process process) => Current is { } usage ? new Sampler(usage, process) : null;

    private void Add(TimeSpan cpu, long peak)
    {
        lock (_lock)
        {
            Processes++;
            Cpu += cpu;
            PeakWorkingSetBytes = Math.Max(PeakWorkingSetBytes, peak);
        }
    }

    private sealed class Sampler : IDisposable
    {
        private readonly ProcessUsage _usage;
        private readonly Process _process;
        private readonly Timer _timer;
        private readonly Lock _lock = new();
        private TimeSpan _cpu;
        private long _peak;
        private bool _done;

        public Sampler(ProcessUsage usage, Process process)
        {
            (_usage, _process) = (usage, process);
            Sample();
            _timer = new Timer(_ => Sample(), null, Interval, Interval);
        }

        public void Dispose()
        {
            _timer.Dispose();
            Sample();
            lock (_lock)
            {
                if (_done)
                {
                    return;
                }

                _done = true;
            }

            _usage.Add(_cpu, _peak);
        }

        private void Sample()
        {
            lock (_lock)
            {
                if (_done)
                {
                    return;
                }

                try
                {
                    _process.Refresh();
                    _cpu = Max(_cpu, _process.TotalProcessorTime);
                    _peak = Math.Max(_peak, _process.PeakWorkingSet64);
                }
                catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
                {
                    // Gone already: the last sample stands.
                }
            }
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }
}
