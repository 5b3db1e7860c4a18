using System.Text.RegularExpressions;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Json;

namespace EvalHarness.Reports;

/// <summary>Finds a run from what a user types: a run folder, a results or baseline file, or <c>latest</c>.</summary>
public static partial class RunLocator
{
    /// <summary>
    /// The results file <paramref name="reference"/> names: a run folder (its <c>results.json</c>), a JSON file, a run's
    /// id (its folder under <c>&lt;reports&gt;/runs</c>, as <c>evalh view</c> shows it), or <c>latest</c> (the newest run
    /// folder under <c>&lt;reports&gt;/runs</c> whose name is a run id).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is there; the message says what to name instead.</exception>
    public static string Resolve(string reference, string reportsDirectory)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference == "latest")
        {
            var runs = Path.Combine(reportsDirectory, "runs");
            // Run ids begin with their start time to the second (yyyyMMdd-HHmmss) and end in a random suffix, so two runs
            // started in the same second are told apart by when their results were written.
            var newest = Directory.Exists(runs)
                ? Directory.GetDirectories(runs)
                    .Where(d => RunIdPattern().IsMatch(Path.GetFileName(d)) && File.Exists(Path.Combine(d, "results.json")))
                    .OrderBy(d => Path.GetFileName(d)[..15], StringComparer.Ordinal)
                    .ThenBy(d => File.GetLastWriteTimeUtc(Path.Combine(d, "results.json")))
                    .LastOrDefault()
                : null;
            return newest is null
                ? throw new FileNotFoundException($"{runs}: no run yet, so there is no latest run. Run a suite first with `evalh run <suite>`.")
                : Path.Combine(newest, "results.json");
        }

        var byId = Path.Combine(reportsDirectory, "runs", reference);
        var file = Directory.Exists(reference) ? Path.Combine(reference, "results.json")
            : !File.Exists(reference) && reference.IndexOfAny(['/', '\\']) < 0 && Directory.Exists(byId) ? Path.Combine(byId, "results.json")
            : reference;
        return File.Exists(file)
            ? file
            : throw new FileNotFoundException($"{file}: no such results file. Name a run folder under reports/runs/ (or its id), its results.json, a baseline file, or latest.");
    }

    /// <summary>Resolves and reads a run.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="InvalidDataException">The file is not a results file.</exception>
    public static async Task<(RunResult Run, string File)> ReadAsync(string reference, string reportsDirectory, CancellationToken cancellationToken = default)
    {
        var file = Resolve(reference, reportsDirectory);
        return (await ResultsJson.ReadAsync(file, cancellationToken), file);
    }

    [GeneratedRegex(@"^\d{8}-\d{6}-")]
    private static partial Regex RunIdPattern();
}
