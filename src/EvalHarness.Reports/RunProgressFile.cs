using System.Globalization;
using System.Text.Json;
using EvalHarness.Core.Application;

namespace EvalHarness.Reports;

/// <summary>
/// <c>&lt;reports&gt;/runs/&lt;run-id&gt;/progress.json</c>: where a run is while its cases run, rewritten whole as they
/// finish and removed once its results are written. <c>evalh view</c> reads it to show a run in progress. One that
/// outlives its run (the process was killed) says when it was last written, and the viewer says the run stopped.
/// </summary>
internal static class RunProgressFile
{
    public const string FileName = "progress.json";

    /// <summary>The progress file of the run <paramref name="runId"/>.</summary>
    public static string PathFor(string reportsDirectory, string runId) => Path.Combine(reportsDirectory, "runs", runId, FileName);

    /// <summary>Writes the file whole (a reader never sees half of it).</summary>
    public static void Write(string path, RunProgress progress, string suiteKey, DateTimeOffset writtenAt) =>
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("runId", progress.RunId);
            json.WriteString("suite", progress.Suite);
            json.WriteString("suiteKey", suiteKey);
            json.WriteString("mode", progress.Mode);
            json.WriteString("startedAt", progress.StartedAt);
            json.WriteNumber("total", progress.Total);
            json.WriteNumber("done", progress.Done);
            json.WriteNumber("failed", progress.Failed);
            json.WriteNumber("errors", progress.Errors);
            json.WriteBoolean("ended", progress.Ended);
            if (progress.Error is { } error)
            {
                json.WriteString("error", error);
            }

            json.WriteString("writtenAt", writtenAt);
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteString("host", Environment.MachineName);
            json.WriteEndObject();
        });

    /// <summary>
    /// Reads a progress file; null when it is not there or not one (a viewer shows what it can). <c>ProcessGone</c>:
    /// the run's process ran on this machine and has ended, so the run stopped (a file from elsewhere is judged by its age).
    /// </summary>
    public static (RunProgress Progress, string SuiteKey, DateTimeOffset WrittenAt, bool ProcessGone)? Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            string Text(string name) => root.GetProperty(name).GetString() ?? throw new FormatException(name);
            int Count(string name) => root.GetProperty(name).GetInt32();
            var progress = new RunProgress(
                Text("runId"), Text("suite"), Text("mode"), DateTimeOffset.Parse(Text("startedAt"), CultureInfo.InvariantCulture),
                Count("total"), Count("done"), Count("failed"), Count("errors"), root.GetProperty("ended").GetBoolean())
            {
                Error = root.TryGetProperty("error", out var error) ? error.GetString() : null,
            };
            var gone = root.TryGetProperty("host", out var host) && host.GetString() == Environment.MachineName
                && root.TryGetProperty("pid", out var pid) && !Running(pid.GetInt32());
            return (progress, Text("suiteKey"), DateTimeOffset.Parse(Text("writtenAt"), CultureInfo.InvariantCulture), gone);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }
}
