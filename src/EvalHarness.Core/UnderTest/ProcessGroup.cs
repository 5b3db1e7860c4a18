using System.Diagnostics;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// A process agent's own session on Unix, so what it leaves running can be stopped with its case: a process whose
/// parent has exited is no longer in the agent's process tree (<see cref="Process.Kill(bool)"/> cannot find it), but
/// it stays in the agent's process group unless it leaves on purpose. <c>setsid</c> makes the group without native
/// code; where it is missing (Windows, macOS) only the tree is stopped.
/// </summary>
internal static class ProcessGroup
{
    /// <summary>What <c>setsid</c> writes when the command itself cannot be started (it then exits with 126 or 127).</summary>
    public const string NotStarted = "setsid: failed to execute ";

    private static readonly string? Setsid = OperatingSystem.IsWindows() ? null : OnPath("setsid");

    private static readonly string? KillCommand = Setsid is null ? null : OnPath("kill");

    /// <summary>
    /// A start for <paramref name="command"/> in a session of its own when <c>setsid</c> and <c>kill</c> are there, and
    /// whether it is one. <c>setsid</c> replaces itself with the command (a started child leads no group), so the
    /// process's id is its group's id; <c>--wait</c> keeps the exit code should it have to fork instead.
    /// </summary>
    public static (ProcessStartInfo Start, bool Grouped) StartInfo(IReadOnlyList<string> command)
    {
        if (Setsid is null || KillCommand is null)
        {
            var alone = new ProcessStartInfo(command[0]);
            foreach (var argument in command.Skip(1))
            {
                alone.ArgumentList.Add(argument);
            }

            return (alone, false);
        }

        var start = new ProcessStartInfo(Setsid);
        start.ArgumentList.Add("--wait");
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        return (start, true);
    }

    /// <summary>Stops <paramref name="process"/>, everything it started that still runs under it, and, when it leads one, its group.</summary>
    public static async Task StopAsync(Process process, bool grouped)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended meanwhile.
        }

        if (grouped)
        {
            // The group outlives its leader while a member runs; once it is empty, kill only finds no such group.
            using var kill = Process.Start(new ProcessStartInfo(KillCommand!, ["-KILL", "--", $"-{process.Id}"])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (kill is not null)
            {
                await kill.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
