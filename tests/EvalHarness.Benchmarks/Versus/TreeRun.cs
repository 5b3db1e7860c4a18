using System.Diagnostics;
using System.Globalization;

namespace EvalHarness.Benchmarks.Versus;

/// <summary>What one run of a tool cost: wall time from process start to exit, and the peak resident memory of its process tree.</summary>
internal sealed record Measured(double WallSeconds, long PeakBytes, int ExitCode, string Output, string Error)
{
    public double PeakMegabytes => PeakBytes / 1048576.0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{WallSeconds:0.00} s, {PeakMegabytes:0} MB");
}

/// <summary>
/// Runs a process and measures it the same way whatever it is (.NET or Node): the wall clock from just before the
/// process is started until it has exited, and the peak of the summed resident set of the process and every process
/// below it, polled from /proc every <see cref="PollMs"/> ms (Linux only; elsewhere the peak reads 0).
/// </summary>
internal static class TreeRun
{
    private const int PollMs = 20;

    public static async Task<Measured> RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var stop = new CancellationTokenSource();
        var poller = PollAsync(process.Id, stop.Token);
        await process.WaitForExitAsync();
        var wall = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        var peak = await poller;
        return new Measured(wall, peak, process.ExitCode, await output, await error);
    }

    private static async Task<long> PollAsync(int root, CancellationToken stop)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var peak = 0L;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, TreeResidentBytes(root));
            try
            {
                await Task.Delay(PollMs, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return peak;
    }

    /// <summary>The resident bytes of <paramref name="root"/> and its descendants (found through each thread's <c>children</c> file).</summary>
    private static long TreeResidentBytes(int root)
    {
        var total = 0L;
        var pending = new Stack<int>();
        pending.Push(root);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid))
            {
                continue;
            }

            try
            {
                // statm: size resident shared text lib data dt, in pages.
                var statm = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
                total += long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        pending.Push(int.Parse(child, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process (or a thread) ended between two reads.
            }
        }

        return total;
    }
}
