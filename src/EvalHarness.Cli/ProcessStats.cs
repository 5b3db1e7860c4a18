using System.Diagnostics;
using System.Globalization;

namespace EvalHarness.Cli;

/// <summary>
/// What the process cost, for the scale run (docs/performance.md): with <c>EVALH_STATS=&lt;file&gt;</c> set,
/// one JSON line is appended to that file as the process ends.
/// </summary>
internal static class ProcessStats
{
    public const string Variable = "EVALH_STATS";

    public static void WriteIfAsked()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } path)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        var line = string.Create(CultureInfo.InvariantCulture,
            $$"""{"wallMs":{{(DateTime.Now - process.StartTime).TotalMilliseconds:0.0}},"cpuMs":{{process.TotalProcessorTime.TotalMilliseconds:0.0}},"peakWorkingSetBytes":{{process.PeakWorkingSet64}},"allocatedBytes":{{GC.GetTotalAllocatedBytes()}},"gen0":{{GC.CollectionCount(0)}},"gen1":{{GC.CollectionCount(1)}},"gen2":{{GC.CollectionCount(2)}}}""");
        File.AppendAllText(path, line + Environment.NewLine);
    }
}
