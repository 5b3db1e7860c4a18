using System.CommandLine;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Application;
using EvalHarness.Core.Load;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.Reports.Load;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>evalh load &lt;suite&gt;</c>: replays the suite's cassettes with their recorded timing, many cases at once, against
/// the suite's agent, and writes the throughput and latency figures (<c>load.json</c>, <c>load.md</c>, <c>load.png</c>).
/// </summary>
internal static class LoadCommand
{
    /// <summary>The default number of iterations: ten per case, at most this many.</summary>
    private const int MaxDefaultIterations = 1000;

    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var common = new CommonOptions();
        var concurrency = new Option<int>("--concurrency")
        { HelpName = "n", Description = $"How many iterations run at once (1 to {LoadOptions.MaxConcurrency}).", DefaultValueFactory = _ => 8 };
        var iterations = new Option<int?>("--iterations")
        { HelpName = "n", Description = $"How many iterations in all, each replaying one case round-robin (1 to {LoadOptions.MaxIterations:N0}). Default: ten per case, at most {MaxDefaultIterations}." };
        var duration = new Option<string?>("--duration")
        { HelpName = "time", Description = "Instead of --iterations: start iterations for this long, e.g. 30s, 5m (at most 1h)." };
        var ramp = new Option<string?>("--ramp")
        { HelpName = "from:to", Description = "Raise the iterations at once from 'from' to 'to' over the test (e.g. 1:16), instead of --concurrency throughout." };
        var warmup = new Option<int>("--warmup")
        { HelpName = "n", Description = "Run n iterations first and leave them out of the figures: they pay for the JIT and each cassette's first read. Default: 0." };
        var output = new Option<string?>("--out")
        { HelpName = "folder", Description = "Where to write load.json, load.md and load.png/svg. Default: <reports>/runs/<time>-<suite>-load-<random>/." };
        var upstream = new Option<string?>("--upstream") { Hidden = true };
        var command = new Command("load",
            "Load-test the agent on recorded latencies: replay the suite's cassettes with their recorded timing, N cases at once, on 127.0.0.1 only, and write throughput and latency percentiles to load.json.");
        command.Arguments.Add(common.Suite);
        foreach (var option in new Option[] { concurrency, iterations, duration, ramp, warmup, output, common.Cassettes, common.Reports, common.Filter, common.Variant, common.CaseTimeout, common.AllowOutside, upstream })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(upstream) is not null)
            {
                await error.WriteLineAsync("error: evalh load never records and never calls a model provider: it replays the suite's cassettes on 127.0.0.1. Record them first with `evalh record <suite> --upstream …`, then load-test.");
                return ExitCodes.InputError;
            }

            Suite suite;
            LoadOptions options;
            try
            {
                // Planned as a replay is: the same checks of the suite, its variants and its cassette folder.
                var plan = EvaluationPlan.For(parse.GetValue(common.Suite)!, new EvaluationOptions
                {
                    CassetteDirectory = parse.GetValue(common.Cassettes),
                    Mode = RecordMode.None,
                    Filters = parse.GetValue(common.Filter) ?? [],
                    Variants = parse.GetValue(common.Variant) ?? [],
                    CaseTimeout = parse.GetValue(common.CaseTimeout) is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null,
                    AllowOutside = parse.GetValue(common.AllowOutside),
                });
                (suite, var run, var cases) = (plan.Suite, plan.Run, plan.Cases);
                if (parse.GetValue(ramp) is not null && parse.GetResult(concurrency) is { Implicit: false })
                {
                    throw new ArgumentException("Give --concurrency or --ramp, not both: a ramp sets how many run at once as it goes.");
                }

                var time = LoadOptions.ParseDuration(parse.GetValue(duration));
                options = new LoadOptions
                {
                    Run = run,
                    Concurrency = parse.GetValue(concurrency),
                    Ramp = LoadOptions.ParseRamp(parse.GetValue(ramp)),
                    Duration = time,
                    Warmup = parse.GetValue(warmup),
                    Iterations = parse.GetValue(iterations) ?? (time is null ? Math.Clamp(cases * 10, 1, MaxDefaultIterations) : null),
                };
                options.Validate();
            }
            catch (Exception ex) when (InputErrors.IsInput(ex))
            {
                await error.WriteLineAsync($"error: {InputErrors.Message(ex)}");
                return ExitCodes.InputError;
            }

            LoadResult load;
            try
            {
                load = await LoadProgress.RunAsync(console, suite, options, cancellationToken);
            }
            catch (Exception ex) when (InputErrors.IsInput(ex))
            {
                await error.WriteLineAsync($"error: {InputErrors.Message(ex)}");
                return ExitCodes.InputError;
            }

            var folder = parse.GetValue(output) ?? LoadWriter.DefaultFolder(parse.GetValue(common.Reports)!, suite.Name, load.StartedAt);
            var path = await LoadWriter.WriteAsync(load, folder, CancellationToken.None);
            Print(console, load, path);
            return load.Errors.Count > 0 || load.Interrupted is not null ? ExitCodes.InputError
                : load.Failures > 0 ? ExitCodes.Failed
                : ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, LoadResult load, string path)
    {
        var table = new Table().AddColumn("figure").AddColumn("value");
        foreach (var (figure, value) in LoadWriter.Figures(load))
        {
            table.AddRow(Markup.Escape(figure), Markup.Escape(value));
        }

        console.Write(table);
        foreach (var message in load.Errors.First)
        {
            console.MarkupLineInvariant($"[yellow]error:[/] {Markup.Escape(message)}");
        }

        if (load.Interrupted is { } interrupted)
        {
            console.MarkupLineInvariant($"[yellow]{Markup.Escape(interrupted)} load.json holds the finished iterations.[/]");
        }

        console.MarkupLineInvariant($"Load: {Markup.Escape(path)}");
    }
}
