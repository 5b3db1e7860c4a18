using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EvalHarness.Benchmarks.Scale;

/// <summary>
/// The scale run (docs/performance.md): generates a suite of single-turn and multi-step scenarios in a temp
/// folder, records its cassettes with <c>evalh record</c> from a <see cref="PlainUpstream"/>, then replays
/// them with <c>evalh run</c>; each as its own process, timed from process start to exit (report written).
/// </summary>
internal static class ScaleRun
{
    /// <summary>
    /// <c>scale [single] [multi] [--repeat n] [--keep] [--jit]</c>: one size (default 1,000 and 200).
    /// <c>scale growth</c>: 1k, 5k and 10k single-turn cases, each with a fifth as many multi-step ones.
    /// <c>--keep</c> keeps the temp folder; <c>--jit</c> runs a plain build instead of the ReadyToRun one;
    /// <c>--repeat n</c> replays n times (default 3) and reports the median.
    /// </summary>
    public static async Task<int> MainAsync(string[] args)
    {
        const string Usage = "usage: scale [<single> [<multi>]] [--repeat n] [--keep] [--jit]   or   scale growth [--repeat n] [--keep] [--jit]";
        var (keep, jit, growth, repeat, numbers) = (false, false, false, 3, new List<int>());
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--keep": keep = true; break;
                case "--jit": jit = true; break;
                case "growth": growth = true; break;
                case "--repeat" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    repeat = n;
                    i++;
                    break;
                case var number when int.TryParse(number, CultureInfo.InvariantCulture, out var count) && count >= 0 && numbers.Count < 2:
                    numbers.Add(count);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"scale: '{args[i]}' is not understood here.{Environment.NewLine}{Usage}");
                    return 2;
            }
        }

        var sizes = growth
            ? [(1_000, 200), (5_000, 1_000), (10_000, 2_000)]
            : new List<(int, int)> { (numbers.Count > 0 ? numbers[0] : 1_000, numbers.Count > 1 ? numbers[1] : 200) };
        if (sizes.Any(size => size.Item1 + size.Item2 == 0))
        {
            await Console.Error.WriteLineAsync($"scale: a suite needs at least one scenario.{Environment.NewLine}{Usage}");
            return 2;
        }

        var evalh = await BuildCliAsync(jit);
        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {evalh}");
        Console.WriteLine();
        Console.WriteLine("| run | cases | model calls | wall (process start to report) | cases/s | model calls/s | per case | peak memory | peak per case |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (single, multi) in sizes)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"evalh-scale-{single}-{multi}-{Guid.NewGuid():N}"[..40]);
            Directory.CreateDirectory(folder);
            try
            {
                var suite = Path.Combine(folder, "scale.yaml");
                ScaleSuite.Write(suite, single, multi);
                var calls = ScaleSuite.ModelCalls(single, multi);
                await using (var upstream = await PlainUpstream.StartAsync())
                {
                    Print("record, plain upstream", single + multi, calls, await RunAsync(evalh, folder, "record", "scale.yaml", "--upstream", upstream.Url));
                }

                // The replay a few times: the machine is shared, and one run can be a quarter off.
                var replays = new List<Measured>();
                for (var i = 0; i < repeat; i++)
                {
                    replays.Add(await RunAsync(evalh, folder, "run", "scale.yaml"));
                }

                var median = replays.OrderBy(r => r.WallMs).ElementAt(replays.Count / 2);
                Print(string.Create(CultureInfo.InvariantCulture, $"replay (median of {repeat}; {replays.Min(r => r.WallMs) / 1000:0.00}–{replays.Max(r => r.WallMs) / 1000:0.00} s)"), single + multi, calls, median);
            }
            finally
            {
                if (keep)
                {
                    Console.WriteLine($"(kept {folder})");
                }
                else
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }

        return 0;
    }

    private static void Print(string name, int cases, int calls, Measured m) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {cases:N0} | {calls:N0} | {m.WallMs / 1000:0.00} s | {cases / (m.WallMs / 1000):N0} | {calls / (m.WallMs / 1000):N0} | {m.WallMs / cases:0.000} ms | {m.PeakBytes / 1048576.0:0} MB | {m.PeakBytes / 1024.0 / cases:0.0} KB |"));

    private sealed record Measured(double WallMs, long PeakBytes);

    /// <summary>Runs evalh in <paramref name="folder"/>; fails loudly when it does not exit 0 (every case must pass).</summary>
    private static async Task<Measured> RunAsync(string evalh, string folder, params string[] args)
    {
        var stats = Path.Combine(folder, "stats.jsonl");
        File.Delete(stats);
        var start = new ProcessStartInfo(evalh) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["EVALH_STATS"] = stats;
        start.Environment["NO_COLOR"] = "1";
        start.Environment["OPENAI_API_KEY"] = "sk-local-plain-upstream"; // recording from a URL needs a key; the plain upstream ignores it
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var wallMs = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"evalh {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
        }

        using var line = JsonDocument.Parse(File.ReadAllLines(stats).Last());
        return new Measured(wallMs, line.RootElement.GetProperty("peakWorkingSetBytes").GetInt64());
    }

    /// <summary>
    /// Publishes the CLI as its tool package for this platform ships (Release, ReadyToRun: compiled ahead of time, so a
    /// run does not spend its first half-second in the JIT), or with <c>--jit</c> builds it plainly, as the package for
    /// other platforms ships; returns its executable.
    /// </summary>
    internal static async Task<string> BuildCliAsync(bool jit)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "EvalHarness.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run the scale run from inside the repository.");
        }

        var project = Path.Combine(root, "src", "EvalHarness.Cli");
        var output = Path.Combine(root, "tests", "EvalHarness.Benchmarks", "bin", jit ? "evalh-jit" : "evalh-r2r");
        // -p:ToolRids: a Release build of the tool restores the runtime packs of every platform a release ships for; this machine's will do.
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        string[] arguments = jit
            ? ["build", "-c", "Release", project, $"-p:ToolRids={rid}", "-o", output, "-nologo", "-v", "q"]
            : ["publish", "-c", "Release", project, $"-p:ToolRids={rid}", "-r", rid, "--self-contained", "false", "-o", output, "-nologo", "-v", "q"];
        Console.WriteLine($"dotnet {string.Join(' ', arguments)}");
        using var build = Process.Start(new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true })!;
        var log = await build.StandardOutput.ReadToEndAsync();
        await build.WaitForExitAsync();
        return build.ExitCode == 0
            ? Path.Combine(output, "evalh")
            : throw new InvalidOperationException($"Building the CLI failed:\n{log}");
    }
}
