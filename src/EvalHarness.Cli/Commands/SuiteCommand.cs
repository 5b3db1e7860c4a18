using System.CommandLine;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Running;
using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>evalh run</c> and <c>evalh record</c>: the same command with a different default record mode.
/// <c>run</c> replays (or uses the suite's <c>cassettes.record_mode</c>); <c>record</c> re-records everything.
/// </summary>
internal static class SuiteCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error, string name, string description, RecordMode? defaultMode)
    {
        var common = new CommonOptions();
        var recordMode = new Option<string?>("--record-mode")
        { HelpName = "mode",
            Description = $"none (replay only), once, new_episodes or all. Default: {(defaultMode is { } m ? RecordModes.Name(m) : "the suite's cassettes.record_mode, else none")}.",
        };
        recordMode.AcceptOnlyFromAmong([.. RecordModes.Names.Keys]);
        var match = new Option<string?>("--match") { HelpName = "ordered|unordered", Description = "ordered or unordered matching (default: the suite's cassettes.match, else ordered)." };
        match.AcceptOnlyFromAmong([.. RecordModes.Matches.Keys]);
        var upstream = new Option<string?>("--upstream")
        { HelpName = "live|scripted|url",
            Description = "Where to record from: 'live' (each model's provider: OpenAI with OPENAI_API_KEY, Anthropic with ANTHROPIC_API_KEY), a base URL for every request, or 'scripted' to play the suite's script file.",
        };
        var replay = new Option<string>("--replay") { HelpName = "instant|realistic", Description = "instant or realistic: replay with the recorded timing.", DefaultValueFactory = _ => "instant" };
        replay.AcceptOnlyFromAmong("instant", "realistic");
        var script = new Option<string?>("--script") { HelpName = "file", Description = "With --upstream scripted: the script file (default: scripts/<suite>.yaml beside the suite)." };
        var otlp = new Option<string?>("--otlp")
        { HelpName = "url",
            Description = "Export the run's traces over OTLP/HTTP to this endpoint (e.g. http://localhost:4318, Jaeger's or Aspire's), one trace per case with GenAI spans. Default: OTEL_EXPORTER_OTLP_ENDPOINT, if set.",
        };
        var command = new Command(name, description);
        common.AddTo(command);
        command.Options.Add(recordMode);
        command.Options.Add(match);
        command.Options.Add(upstream);
        command.Options.Add(script);
        command.Options.Add(replay);
        command.Options.Add(otlp);
        otlp.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && OtlpTracing.TracesUrl(value) is null)
            {
                r.AddError($"The OTLP endpoint '{value}' is not an http(s) URL: give the collector's OTLP/HTTP address, e.g. http://localhost:4318.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            ScriptedUpstream? scripted = null;
            try
            {
                return await SuiteSession.RunAsync(console, error, parse.GetValue(common.Suite)!, common.Load(parse), parse.GetValue(common.Reports)!, common.Choices(parse), async suite =>
                {
                    var mode = parse.GetValue(recordMode) is { } chosen ? RecordModes.Names[chosen] : defaultMode ?? suite.Cassettes.RecordMode;
                    var options = new RunOptions
                    {
                        CassetteDirectory = suite.Cassettes.FolderFor(parse.GetValue(common.Cassettes)),
                        Concurrency = parse.GetValue(common.Concurrency) ?? RunOptions.DefaultConcurrency,
                        LiveConcurrency = parse.GetValue(common.Concurrency) ?? RunOptions.DefaultLiveConcurrency,
                        ProviderConcurrency = suite.Cassettes.RecordConcurrency,
                        Filters = parse.GetValue(common.Filter) ?? [],
                        Shard = CommonOptions.ParseShard(parse.GetValue(common.Shard)),
                        Variants = parse.GetValue(common.Variant) ?? [],
                        CaseTimeout = parse.GetValue(common.CaseTimeout) is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null,
                        Mode = mode,
                        Match = parse.GetValue(match) is { } m ? RecordModes.Matches[m] : suite.Cassettes.Match,
                        IgnoredRequestPaths = suite.Cassettes.Ignore,
                        Scrubbers = suite.Cassettes.Scrub,
                        Timing = parse.GetValue(replay) == "realistic" ? ReplayTiming.Realistic : ReplayTiming.Instant,
                        OtlpEndpoint = parse.GetValue(otlp),
                        OnNotice = notice => console.MarkupLineInvariant($"[grey]{Markup.Escape(notice)}[/]"),
                    };
                    foreach (var variant in options.Variants.Where(v => suite.Variants.All(x => x.Name != v)))
                    {
                        throw new SuiteException(suite.FilePath, 0, 0, $"there is no variant '{variant}'. Variants: {string.Join(", ", suite.Variants.Select(x => x.Name))}.");
                    }

                    if (!EvalRunner.Expand(suite).Any(options.Selects))
                    {
                        throw new SuiteException(suite.FilePath, 0, 0, $"no case matches --filter {string.Join(" ", options.Filters)}{(options.Variants.Count > 0 ? $" --variant {string.Join(" ", options.Variants)}" : string.Empty)}.");
                    }

                    var target = parse.GetValue(upstream);
                    if (mode == RecordMode.None)
                    {
                        return options;
                    }

                    if (target is null)
                    {
                        throw new SuiteException("--upstream", 0, 0, $"record mode '{RecordModes.Name(mode)}' records from an upstream: pass --upstream <url> or --upstream scripted.");
                    }

                    if (target == "scripted")
                    {
                        var book = parse.GetValue(script) is { } given ? ScriptBook.Load(given, suite) : ScriptBook.LoadFor(suite);
                        scripted = await ScriptedUpstream.StartAsync((id, prompt) => book.Find(id, prompt), cancellationToken);
                        return options with { Upstream = scripted.UpstreamTemplate, RecordedFrom = "scripted" };
                    }

                    if (target != "live" && (!Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
                    {
                        throw new SuiteException("--upstream", 0, 0, $"'{target}' is not 'live', 'scripted' or an http(s) URL.");
                    }

                    var keys = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var provider in suite.Variants.SelectMany(v => v.Agent.SubAgents.Select(s => s.Agent.Model.Provider).Append(v.Agent.Model.Provider)).Distinct())
                    {
                        var variable = ModelRef.Live[provider].KeyVariable;
                        keys[provider] = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } key
                            ? key
                            : throw new SuiteException(variable, 0, 0, $"recording {provider} models live needs the API key in the {variable} environment variable.");
                    }

                    return target == "live"
                        ? options with { Upstream = ModelRef.Live["openai"].Url, AnthropicUpstream = ModelRef.Live["anthropic"].Url, RecordedFrom = "live", ApiKeys = keys }
                        : options with { Upstream = target, RecordedFrom = "live", ApiKeys = keys };
                }, cancellationToken);
            }
            finally
            {
                if (scripted is not null)
                {
                    await scripted.DisposeAsync();
                }
            }
        });
        return command;
    }
}
