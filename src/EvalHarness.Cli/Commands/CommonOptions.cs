using System.CommandLine;
using EvalHarness.Core.Running;

namespace EvalHarness.Cli.Commands;

/// <summary>Options shared by the commands that run a suite.</summary>
internal sealed class CommonOptions
{
    public Argument<string> Suite { get; } = new("suite") { Description = "The suite file, e.g. suites/support.yaml." };

    public Option<string?> Cassettes { get; } = new("--cassettes")
    { HelpName = "folder",
        Description = "The cassette folder. Default: the suite's cassettes.dir (relative to the suite file), else cassettes in the current folder.",
    };

    public Option<string> Reports { get; } = new("--reports")
    { HelpName = "folder",
        Description = "Where run folders are written (<reports>/runs/<run-id>/).",
        DefaultValueFactory = _ => "reports",
    };

    public Option<int?> Concurrency { get; } = new("--concurrency")
    { HelpName = "n",
        Description = $"How many cases run at once. Default: {RunOptions.DefaultConcurrency} (two per core) for a replay or a scripted recording; "
            + $"{RunOptions.DefaultLiveConcurrency} when recording from a live provider, lowered on 429s and Retry-After and raised again as answers come "
            + "(a suite's cassettes.record_concurrency sets a limit per provider).",
    };

    public Option<string[]> Filter { get; } = new("--filter")
    { HelpName = "name*|tag:x",
        Description = "Only scenarios whose name matches (* wildcards) or, written tag:<tag>, that carry the tag. Repeatable.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Variant { get; } = new("--variant") { HelpName = "name", Description = "Only these variants. Repeatable.", AllowMultipleArgumentsPerToken = true };

    public Option<double?> CaseTimeout { get; } = new("--case-timeout") { HelpName = "seconds", Description = "Seconds one case may take; a case past it is an error." };

    public Option<string?> Baseline { get; } = new("--baseline")
    { HelpName = "run",
        Description = "The run to compare with: a run folder, its results.json, a baseline file, or latest. Default: the suite's blessed baseline (<reports>/baselines/<suite path>.json, e.g. reports/baselines/suites/support.json), if any.",
    };

    public Option<string?> Policy { get; } = new("--policy")
    { HelpName = "gate.yaml",
        Description = "Gate the run with this policy file (e.g. gate.yaml): the exit code is then the gate's. See docs/reports-and-gate.md.",
    };

    public Option<bool> AllowOutside { get; } = AllowOutsideOption();

    /// <summary><c>--allow-outside</c>, for every command that loads a suite.</summary>
    public static Option<bool> AllowOutsideOption() => new("--allow-outside")
    {
        Description = "Let the suite use files and folders outside its repository (the nearest folder above it holding .git; a suite in none: its own folder): prompts, includes, schemas, assemblies, cassettes.dir, cwd. Off by default, so a suite cannot read any file on the machine.",
    };

    public Option<string?> Shard { get; } = new("--shard")
    {
        HelpName = "i/n|auto",
        Description = "Run only shard i of n (e.g. 2/4), for splitting a suite across CI jobs; join the shards with evalh merge. "
            + "auto reads it from the CI engine: EVALH_SHARD=i/n (a GitHub Actions matrix), GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, "
            + "Buildkite's BUILDKITE_PARALLEL_JOB/_COUNT, CircleCI's CIRCLE_NODE_INDEX/_TOTAL, or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with EVALH_SHARD_TOTAL.",
    };

    /// <summary>
    /// Reads <c>--shard i/n</c>, or with <c>auto</c> the CI engine's variables in <paramref name="variable"/> (then
    /// <paramref name="notice"/> hears which engine's they were).
    /// </summary>
    public static (int Index, int Count)? ParseShard(string? text, Func<string, string?>? variable = null, Action<string>? notice = null)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            var found = CiShards.Read(variable ?? Environment.GetEnvironmentVariable);
            notice?.Invoke($"Shard {found.Index}/{found.Count}, from {found.Source}");
            return (found.Index, found.Count);
        }

        var parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index >= 1 && index <= count
            ? (index, count)
            : throw new Core.Suites.SuiteException("--shard", 0, 0, $"'{text}' is not a shard: write i/n with 1 <= i <= n, e.g. 2/4, or auto to read it from the CI engine's variables.");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Shard);
        command.Options.Add(Filter);
        command.Options.Add(Variant);
        command.Options.Add(CaseTimeout);
        CaseTimeout.Validators.Add(r =>
        {
            if (r.Tokens is [var token] && double.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds <= 0)
            {
                r.AddError("--case-timeout must be more than 0 seconds; leave it out for no limit.");
            }
        });
        command.Arguments.Add(Suite);
        command.Options.Add(Cassettes);
        command.Options.Add(Reports);
        command.Options.Add(Concurrency);
        command.Options.Add(Baseline);
        command.Options.Add(Policy);
        command.Options.Add(AllowOutside);
        Concurrency.Validators.Add(r =>
        {
            // Runs even when the value did not parse (System.CommandLine reports that itself): read the token, not the value.
            if (r.Tokens is [var token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var n) && n < 1)
            {
                r.AddError("--concurrency must be at least 1.");
            }
        });
    }
}
