using System.CommandLine;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Application;
using EvalHarness.Core.Running;
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
            Description = "Where to record from: 'live' (each model's provider at its public endpoint, with its key: "
                + string.Join(", ", WireProtocols.All.Where(p => p.LiveUrl is not null && p.ApiKeyVariable is not null).Select(p => $"{p.Name} with {p.ApiKeyVariable}"))
                + "), a base URL for every request (a key is asked for only for a provider that needs one), or 'scripted' to play the suite's script file.",
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
        var port = new Option<int?>("--port")
        {
            HelpName = "N",
            Description = "The cassette server's port on 127.0.0.1 (default: any free port), for a served agent you start yourself: point its model client at http://127.0.0.1:<N>/v1 (docs/served-agents.md).",
        };
        command.Options.Add(port);
        otlp.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && OtlpTracing.TracesUrl(value) is null)
            {
                r.AddError($"The OTLP endpoint '{value}' is not an http(s) URL: give the collector's OTLP/HTTP address, e.g. http://localhost:4318.");
            }
        });
        // --shard is read as the action starts, so its mistake is an input error like the suite's.
        void Notice(string notice) => console.MarkupLineInvariant($"[grey]{Markup.Escape(notice)}[/]");
        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, () => SuiteSession.RunAsync(console, error, parse.GetValue(common.Suite)!, new EvaluationOptions
        {
            CassetteDirectory = parse.GetValue(common.Cassettes),
            ReportsDirectory = parse.GetValue(common.Reports)!,
            Mode = parse.GetValue(recordMode) is { } chosen ? RecordModes.Names[chosen] : defaultMode,
            Upstream = parse.GetValue(upstream),
            ScriptFile = parse.GetValue(script),
            Match = parse.GetValue(match) is { } m ? RecordModes.Matches[m] : null,
            Timing = parse.GetValue(replay) == "realistic" ? ReplayTiming.Realistic : ReplayTiming.Instant,
            PolicyFile = parse.GetValue(common.Policy),
            Baseline = parse.GetValue(common.Baseline),
            Concurrency = parse.GetValue(common.Concurrency),
            Filters = parse.GetValue(common.Filter) ?? [],
            Variants = parse.GetValue(common.Variant) ?? [],
            Shard = CommonOptions.ParseShard(parse.GetValue(common.Shard), notice: Notice),
            CaseTimeout = parse.GetValue(common.CaseTimeout) is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null,
            AllowOutside = parse.GetValue(common.AllowOutside),
            OtlpEndpoint = parse.GetValue(otlp),
            Port = parse.GetValue(port),
            OnNotice = Notice,
        }, cancellationToken)));
        return command;
    }
}
