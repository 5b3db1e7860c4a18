using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EvalHarness.Benchmarks.Scale;

namespace EvalHarness.Benchmarks.Versus;

/// <summary>
/// <c>versus-promptfoo [--cases n] [--repeat n] [--mock-latency-ms n] [--keep]</c> (docs/performance.md, "Against promptfoo"): the same
/// single-turn suite, one <c>contains</c> check a case, run by promptfoo <see cref="PromptfooInstall.Version"/>
/// (<c>-j 16</c>) and by evalh as it ships (ReadyToRun, default settings) against one <see cref="PlainUpstream"/>:
/// live (promptfoo with an empty cache, <c>evalh record --upstream</c>), then again (promptfoo with the cache the
/// live run filled, <c>evalh run</c> replaying the cassettes the record wrote). Runs alternate between the tools;
/// each figure in the table is the median of <c>--repeat</c> runs (default 3).
/// </summary>
internal static class VersusPromptfoo
{
    private const string Usage = "usage: versus-promptfoo [--cases n] [--repeat n] [--mock-latency-ms n] [--keep]";
    private const int PromptfooConcurrency = 16;
    private const int WarmUpCases = 10;

    public static async Task<int> MainAsync(string[] args)
    {
        var (cases, repeat, keep) = (1_000, 3, false);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--keep": keep = true; break;
                case "--cases" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    cases = n;
                    i++;
                    break;
                case "--mock-latency-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var ms) && ms >= 0:
                    // A provider answers in hundreds of milliseconds: a live run is then bound by how many calls wait at once.
                    PlainUpstream.Latency = TimeSpan.FromMilliseconds(ms);
                    i++;
                    break;
                case "--repeat" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    repeat = n;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"versus-promptfoo: '{args[i]}' is not understood here.{Environment.NewLine}{Usage}");
                    return 2;
            }
        }

        (string Node, string NodeVersion, string Cli) promptfoo;
        try
        {
            promptfoo = await PromptfooInstall.EnsureAsync();
        }
        catch (SetupException e)
        {
            await Console.Error.WriteLineAsync($"versus-promptfoo: {e.Message}");
            return 3;
        }

        var evalh = await ScaleRun.BuildCliAsync(jit: false);
        var folder = Path.Combine(Path.GetTempPath(), $"evalh-versus-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(folder);
        try
        {
            await using var upstream = await PlainUpstream.StartAsync();
            var config = Path.Combine(folder, "promptfooconfig.yaml");
            VersusSuites.WritePromptfoo(config, cases, upstream.Url);
            var suite = Path.Combine(folder, "versus.yaml");
            VersusSuites.WriteEvalh(suite, cases);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, Node {promptfoo.NodeVersion} ({promptfoo.Node}), promptfoo {PromptfooInstall.Version}, {evalh}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases:N0} cases, mock at {upstream.Url} answering after {PlainUpstream.Latency.TotalMilliseconds:0} ms, in {folder}"));

            // A warm-up round of 10 cases, not counted: the first start of each tool after an install or a build reads
            // its code from disk, which says something about the disk, not the tool.
            var warmUp = Directory.CreateDirectory(Path.Combine(folder, "warm-up")).FullName;
            VersusSuites.WritePromptfoo(Path.Combine(warmUp, "promptfooconfig.yaml"), WarmUpCases, upstream.Url);
            VersusSuites.WriteEvalh(Path.Combine(warmUp, "versus.yaml"), WarmUpCases);
            var warm = new Runs(promptfoo.Node, promptfoo.Cli, evalh, warmUp, WarmUpCases);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up ({WarmUpCases} cases, not counted):"));
            await warm.PromptfooAsync(warmUp, 0, live: true);
            await warm.EvalhAsync(warmUp, 0, "record", "versus.yaml", "--upstream", upstream.Url);
            await warm.PromptfooAsync(warmUp, 0, live: false);
            await warm.EvalhAsync(warmUp, 0, "run", "versus.yaml");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases:N0} cases, {repeat} rounds:"));

            var runs = new Runs(promptfoo.Node, promptfoo.Cli, evalh, folder, cases);
            var (promptfooLive, promptfooCached, evalhRecord, evalhReplay) = (new List<Measured>(), new List<Measured>(), new List<Measured>(), new List<Measured>());
            for (var i = 1; i <= repeat; i++)
            {
                // Alternating, and which tool goes first alternates too, so neither always meets the machine's quieter minute.
                var round = Directory.CreateDirectory(Path.Combine(folder, $"round-{i}")).FullName;
                File.Copy(suite, Path.Combine(round, "versus.yaml"));
                Func<Task>[] steps =
                [
                    async () => promptfooLive.Add(await runs.PromptfooAsync(round, i, live: true)),
                    async () => evalhRecord.Add(await runs.EvalhAsync(round, i, "record", "versus.yaml", "--upstream", upstream.Url)),
                    async () => promptfooCached.Add(await runs.PromptfooAsync(round, i, live: false)),
                    async () => evalhReplay.Add(await runs.EvalhAsync(round, i, "run", "versus.yaml")),
                ];
                int[] order = i % 2 == 1 ? [0, 1, 2, 3] : [1, 0, 3, 2];
                foreach (var step in order)
                {
                    await steps[step]();
                }
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cases:N0} single-turn cases, one contains check each; each cell wall seconds (process start to exit), peak MB (the process tree's resident set); median of {repeat}"));
            Console.WriteLine();
            Console.WriteLine($"| run | promptfoo {PromptfooInstall.Version} (-j {PromptfooConcurrency}) | evalh (defaults) | ratio (promptfoo ÷ evalh) |");
            Console.WriteLine("|---|---:|---:|---:|");
            Row("live (record)", promptfooLive, evalhRecord);
            Row("cached re-run / replay", promptfooCached, evalhReplay);
            return 0;
        }
        catch (RunFailedException e)
        {
            await Console.Error.WriteLineAsync($"versus-promptfoo: {e.Message}");
            keep = true;
            return 1;
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

    private static void Row(string name, List<Measured> promptfoo, List<Measured> evalh)
    {
        var (pfWall, pfPeak) = (Median(promptfoo.Select(m => m.WallSeconds)), Median(promptfoo.Select(m => m.PeakMegabytes)));
        var (ehWall, ehPeak) = (Median(evalh.Select(m => m.WallSeconds)), Median(evalh.Select(m => m.PeakMegabytes)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {pfWall:0.00} s, {pfPeak:0} MB | {ehWall:0.00} s, {ehPeak:0} MB | {pfWall / ehWall:0.0}× the time, {pfPeak / ehPeak:0.0}× the memory |"));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed class RunFailedException(string message) : Exception(message);

    /// <summary>Starts each tool's run the same way, measures it with <see cref="TreeRun"/>, and checks it did the work.</summary>
    private sealed class Runs(string node, string cli, string evalh, string folder, int cases)
    {
        /// <summary>
        /// promptfoo at its defaults but for <c>-j 16</c> and a JSON results file: its config folder (results
        /// database) and cache are the round's own, so the live run starts with an empty cache and the re-run finds it full.
        /// </summary>
        public async Task<Measured> PromptfooAsync(string round, int i, bool live)
        {
            var results = Path.Combine(round, live ? "promptfoo-live.json" : "promptfoo-cached.json");
            var start = new ProcessStartInfo(node) { WorkingDirectory = folder };
            foreach (var argument in new[] { cli, "eval", "-c", "promptfooconfig.yaml", "-j", PromptfooConcurrency.ToString(CultureInfo.InvariantCulture), "-o", results })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["PROMPTFOO_CONFIG_DIR"] = Path.Combine(round, "promptfoo-home");
            start.Environment["PROMPTFOO_CACHE_PATH"] = Path.Combine(round, "promptfoo-cache");
            start.Environment["PROMPTFOO_DISABLE_TELEMETRY"] = "1";
            start.Environment["PROMPTFOO_DISABLE_UPDATE"] = "1";
            start.Environment["PROMPTFOO_DISABLE_SHARING"] = "1";
            start.Environment["OPENAI_API_KEY"] = "sk-local-plain-upstream";
            start.Environment.Remove("OPENAI_BASE_URL");
            start.Environment.Remove("OPENAI_API_BASE_URL");

            // Anything but loopback goes to a closed local port: nothing leaves the machine, whatever promptfoo tries.
            start.Environment["HTTP_PROXY"] = start.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
            start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
            start.Environment["NO_COLOR"] = "1";
            var run = live ? "live" : "cached re-run";
            var before = PlainUpstream.Requests;
            var measured = await TreeRun.RunAsync(start);
            var calls = PlainUpstream.Requests - before;
            Report($"promptfoo {run}", i, measured, calls);
            Check(measured.ExitCode == 0, $"promptfoo's {run} exited {measured.ExitCode}", measured);
            Check(calls == (live ? cases : 0), $"promptfoo's {run} called the mock {calls} times, not {(live ? cases : 0)}{(live ? "" : ": its cache did not answer")}", measured);
            using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(results));
            var stats = json.RootElement.GetProperty("results").GetProperty("stats");
            var passed = stats.GetProperty("successes").GetInt32();
            Check(passed == cases, $"promptfoo's {run} passed {passed} of {cases} cases ({stats})", measured);
            return measured;
        }

        /// <summary>evalh as shipped, at its defaults; every case must pass (exit 0).</summary>
        public async Task<Measured> EvalhAsync(string round, int i, params string[] args)
        {
            var stats = Path.Combine(round, "evalh-stats.jsonl");
            var start = new ProcessStartInfo(evalh) { WorkingDirectory = round };
            foreach (var argument in args)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["EVALH_STATS"] = stats;
            start.Environment["NO_COLOR"] = "1";
            start.Environment["OPENAI_API_KEY"] = "sk-local-plain-upstream"; // recording from a URL needs a key; the mock ignores it
            var live = args[0] == "record";
            var before = PlainUpstream.Requests;
            var measured = await TreeRun.RunAsync(start);
            var calls = PlainUpstream.Requests - before;
            using var line = JsonDocument.Parse(File.ReadAllLines(stats).Last());
            var own = line.RootElement.GetProperty("peakWorkingSetBytes").GetInt64() / 1048576.0;
            Report(live ? "evalh record" : "evalh replay", i, measured, calls, string.Create(CultureInfo.InvariantCulture, $"; its own EVALH_STATS peak {own:0} MB"));
            Check(measured.ExitCode == 0, $"evalh {string.Join(' ', args)} exited {measured.ExitCode}", measured);
            Check(calls == (live ? cases : 0), $"evalh {args[0]} called the mock {calls} times, not {(live ? cases : 0)}", measured);
            return measured;
        }

        private static void Report(string what, int i, Measured measured, long calls, string more = "") =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {i}: {what,-23} {measured.WallSeconds,6:0.00} s {measured.PeakMegabytes,5:0} MB peak, {calls} calls to the mock{more}; load average {LoadAverage()}"));

        /// <summary>The 1-minute load average after a run: on a shared machine, what else was running.</summary>
        private static string LoadAverage() =>
            OperatingSystem.IsLinux() && File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

        private static void Check(bool ok, string what, Measured measured)
        {
            if (!ok)
            {
                throw new RunFailedException($"{what}.{Environment.NewLine}{Tail(measured.Output)}{Environment.NewLine}{Tail(measured.Error)}");
            }
        }

        private static string Tail(string text) => string.Join(Environment.NewLine, text.Trim().Split('\n').TakeLast(25));
    }
}
