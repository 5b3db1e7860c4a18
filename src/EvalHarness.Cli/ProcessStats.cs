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

    private static readonly List<(string Phase, double AtMs, long JitMethods)> Phases = [];

    /// <summary>Notes that a phase ended now (ms since the process started), for the stats line.</summary>
    public static void Mark(string phase)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 })
        {
            using var process = Process.GetCurrentProcess();
            lock (Phases)
            {
                Phases.Add((phase, SinceStartMs(process), System.Runtime.JitInfo.GetCompiledMethodCount()));
            }
        }
    }

    private static double SinceStartMs(Process process) => (DateTime.Now - process.StartTime).TotalMilliseconds;

    public static void WriteIfAsked(string[] args, int exitCode)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } path)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        var phases = string.Join(',', Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"\"{p.Phase}\":{p.AtMs:0.0}")));
        var jit = string.Join(',', Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"\"{p.Phase}\":{p.JitMethods}")));
        var line = string.Create(CultureInfo.InvariantCulture,
            $$"""{"args":{{System.Text.Json.JsonSerializer.Serialize(args, StatsJson.Default.StringArray)}},"exitCode":{{exitCode}},"phasesEndedAtMs":{{{phases}}},"jitMethodsByPhase":{{{jit}}},"wallMs":{{SinceStartMs(process):0.0}},"cpuMs":{{process.TotalProcessorTime.TotalMilliseconds:0.0}},"peakWorkingSetBytes":{{process.PeakWorkingSet64}},"jitMethods":{{System.Runtime.JitInfo.GetCompiledMethodCount()}},"jitMs":{{System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0}},"allocatedBytes":{{GC.GetTotalAllocatedBytes()}},"gen0":{{GC.CollectionCount(0)}},"gen1":{{GC.CollectionCount(1)}},"gen2":{{GC.CollectionCount(2)}},"gcPauseMs":{{GC.GetTotalPauseDuration().TotalMilliseconds:0.0}}}""");
        File.AppendAllText(path, line + Environment.NewLine);
    }
}

/// <summary>The stats line's JSON: the arguments as a JSON array.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class StatsJson : System.Text.Json.Serialization.JsonSerializerContext;
