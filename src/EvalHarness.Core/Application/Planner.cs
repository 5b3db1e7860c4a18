using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Application;

/// <summary>Turns a suite file and the choices made for it into a checked <see cref="EvaluationPlan"/>.</summary>
internal static class Planner
{
    /// <exception cref="SuiteException">The suite, the policy or a choice is wrong; the message names the file and line.</exception>
    public static EvaluationPlan Plan(string suitePath, EvaluationOptions options)
    {
        // The policy is read first: a mistake in it should not cost a whole run.
        var policy = options.PolicyFile is null ? null : GatePolicyLoader.Load(options.PolicyFile);
        var suite = SuiteLoader.Load(suitePath, new SuiteLoadOptions { AllowOutside = options.AllowOutside });

        // A recording needs an upstream, so naming one without a mode records everything.
        var mode = options.Mode ?? (options.Upstream is not null && suite.Cassettes.RecordMode == RecordMode.None ? RecordMode.All : suite.Cassettes.RecordMode);
        var run = new RunOptions
        {
            CassetteDirectory = suite.Cassettes.FolderFor(options.CassetteDirectory, options.DefaultCassetteDirectory),
            Mode = mode,
            Timing = options.Timing,
            Match = options.Match ?? suite.Cassettes.Match,
            IgnoredRequestPaths = suite.Cassettes.Ignore,
            Scrubbers = suite.Cassettes.Scrub,
            Concurrency = options.Concurrency ?? RunOptions.DefaultConcurrency,
            LiveConcurrency = options.Concurrency ?? RunOptions.DefaultLiveConcurrency,
            ProviderConcurrency = suite.Cassettes.RecordConcurrency,
            Filters = options.Filters,
            Variants = options.Variants,
            Shard = options.Shard,
            CaseTimeout = options.CaseTimeout,
            Agent = options.Agent,
            OtlpEndpoint = options.OtlpEndpoint,
            Port = options.Port,
            OnNotice = options.OnNotice,
        };

        var variants = string.Join(", ", suite.Variants.Select(x => x.Name));
        if (options.Variants.FirstOrDefault(v => suite.Variants.All(x => x.Name != v)) is { } unknown)
        {
            throw new SuiteException(suite.FilePath, 0, 0, $"there is no variant '{unknown}'. Variants: {variants}.");
        }

        var cases = EvalCase.AllOf(suite).Count(run.Selects);
        if (cases == 0)
        {
            throw new SuiteException(suite.FilePath, 0, 0,
                $"no case matches {string.Join(" ", options.Filters.Select(f => $"--filter {f}").Concat(options.Variants.Select(v => $"--variant {v}")).Append(options.Shard is { } s ? $"--shard {s.Index}/{s.Count}" : string.Empty)).Trim()}.");
        }

        if (policy?.Variants.FirstOrDefault(v => suite.Variants.All(x => x.Name != v) || (options.Variants.Count > 0 && !options.Variants.Contains(v))) is { } ungated)
        {
            throw new SuiteException(policy.Source, 0, 0,
                $"the policy gates the variant '{ungated}', which this run does not run (variants: {string.Join(", ", suite.Variants.Select(x => x.Name).Where(v => options.Variants.Count == 0 || options.Variants.Contains(v)))}).");
        }

        if (mode == RecordMode.None && !Directory.Exists(run.CassetteDirectory))
        {
            throw new SuiteException(run.CassetteDirectory, 0, 0,
                $"the cassette folder does not exist (looked in {Path.GetFullPath(run.CassetteDirectory)}). Run from the folder that holds it, pass it (--cassettes), set the suite's cassettes.dir, or record first with `evalh record`.");
        }

        return new EvaluationPlan(suitePath, suite, options, run, policy, cases);
    }
}
