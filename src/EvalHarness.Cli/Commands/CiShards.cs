using System.Globalization;
using EvalHarness.Core.Suites;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>--shard auto</c>: the shard's index and total as the CI engine that scheduled the job gives them, each engine in
/// variables of its own and counting from 0 or 1. Pure: it reads the variables it is handed, so every engine's case is a
/// unit test; the command hands it the process's environment.
/// </summary>
internal static class CiShards
{
    /// <summary>
    /// One engine's pair of variables. <paramref name="IndexBase"/> is what its first shard's index is (0 or 1). A null
    /// <paramref name="TotalVariable"/> means the index variable holds both, written <c>i/n</c> from 1.
    /// </summary>
    /// <param name="Name">The engine, as the line that says which was used names it.</param>
    /// <param name="IndexVariable">The variable holding the shard's index (or <c>i/n</c>).</param>
    /// <param name="TotalVariable">The variable holding how many shards there are; null when the index variable holds both.</param>
    /// <param name="IndexBase">The index of the engine's first shard.</param>
    /// <param name="Hint">What to do when the pair is half set, for an engine that does not set both itself.</param>
    internal sealed record Engine(string Name, string IndexVariable, string? TotalVariable, int IndexBase, string? Hint = null);

    /// <summary>
    /// The engines, in the order they are looked for. <c>EVALH_SHARD</c> comes first: it is set on purpose (a GitHub
    /// Actions matrix has no variable of its own for the job's index, so the workflow sets it), where an engine's own pair
    /// may be there for another reason (CircleCI sets 0 of 1 on every job).
    /// </summary>
    internal static IReadOnlyList<Engine> Engines { get; } =
    [
        new("EVALH_SHARD (a GitHub Actions matrix)", "EVALH_SHARD", null, 1),
        new("GitLab CI (parallel:)", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1),
        new("Buildkite (parallelism:)", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0),
        new("CircleCI (parallelism:)", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0),
        new("a Kubernetes Indexed Job", "JOB_COMPLETION_INDEX", "EVALH_SHARD_TOTAL", 0,
            "Kubernetes gives a pod its index but not the Job's completions: set EVALH_SHARD_TOTAL to spec.completions in the pod template's env."),
    ];

    /// <summary>Every variable <c>--shard auto</c> reads, for the error that says none was found.</summary>
    internal static IEnumerable<string> Variables => Engines.SelectMany(e => new[] { e.IndexVariable, e.TotalVariable }.OfType<string>());

    /// <summary>A shard found in an engine's variables: the index from 1, the total, and a line saying where it came from.</summary>
    /// <param name="Index">The shard's index, from 1 as <c>--shard i/n</c> counts.</param>
    /// <param name="Count">How many shards there are.</param>
    /// <param name="Source">Which engine and variables it was read from, with their values.</param>
    internal sealed record Found(int Index, int Count, string Source);

    /// <summary>
    /// Reads the shard from the first engine whose variables are set in <paramref name="variable"/> (a name to its value,
    /// null when unset).
    /// </summary>
    /// <exception cref="SuiteException">
    /// No engine's variables are set (naming every variable looked for), an engine's pair is half set (naming the one
    /// missing), or a value is not a number in range (naming the variable and its value).
    /// </exception>
    internal static Found Read(Func<string, string?> variable)
    {
        foreach (var engine in Engines)
        {
            var index = Value(variable, engine.IndexVariable);
            var total = engine.TotalVariable is null ? null : Value(variable, engine.TotalVariable);
            if (index is null && total is null)
            {
                continue;
            }

            if (index is null || (engine.TotalVariable is not null && total is null))
            {
                var (set, missing) = index is null ? (engine.TotalVariable!, engine.IndexVariable) : (engine.IndexVariable, engine.TotalVariable!);
                throw Error($"{set} is set ({variable(set)}) but {missing} is not, so the shard of {engine.Name} is half known: "
                    + (engine.Hint ?? $"set {missing} too, or give the shard as --shard i/n."));
            }

            return engine.TotalVariable is null ? Combined(engine, index) : Pair(engine, index, total!);
        }

        throw Error($"no CI engine's shard variables are set (looked for {string.Join(", ", Variables)}): "
            + "set EVALH_SHARD=i/n (in a GitHub Actions matrix: EVALH_SHARD: ${{ matrix.shard }}/${{ strategy.job-total }}), or give the shard as --shard i/n.");
    }

    /// <summary>Reads the process's environment.</summary>
    internal static Found ReadEnvironment() => Read(Environment.GetEnvironmentVariable);

    private static string? Value(Func<string, string?> variable, string name) => variable(name) is { } value && value.Trim().Length > 0 ? value.Trim() : null;

    /// <summary><c>EVALH_SHARD=i/n</c>.</summary>
    private static Found Combined(Engine engine, string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryNumber(parts[0], out var index) || !TryNumber(parts[1], out var count) || count < 1 || index < 1 || index > count)
        {
            throw Error($"{engine.IndexVariable}='{text}' is not a shard: write i/n with 1 <= i <= n, e.g. 2/4.");
        }

        return new(index, count, $"{engine.Name}: {engine.IndexVariable}={text}");
    }

    /// <summary>An engine's index and total, its index counted from its base.</summary>
    private static Found Pair(Engine engine, string indexText, string totalText)
    {
        if (!TryNumber(totalText, out var count) || count < 1)
        {
            throw Error($"{engine.TotalVariable}='{totalText}' is not a number of shards: it must be a whole number, at least 1.");
        }

        var last = count - 1 + engine.IndexBase;
        if (!TryNumber(indexText, out var index) || index < engine.IndexBase || index > last)
        {
            throw Error($"{engine.IndexVariable}='{indexText}' is not a shard of {count} ({engine.TotalVariable}={count}): "
                + $"{engine.Name} counts its shards from {engine.IndexBase}, so it must be {engine.IndexBase} to {last}.");
        }

        return new(index - engine.IndexBase + 1, count, $"{engine.Name}: {engine.IndexVariable}={indexText}, {engine.TotalVariable}={totalText}");
    }

    private static bool TryNumber(string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static SuiteException Error(string message) => new("--shard auto", 0, 0, message);
}
