using System.CommandLine;
using EvalHarness.Core.Running;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary><c>evalh run &lt;suite&gt;</c>: replay a suite from its cassettes, score it, write the reports.</summary>
internal static class RunCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var common = new CommonOptions();
        var command = new Command("run", "Replay a suite from its cassettes (no network, no API key), score every case and write the reports.");
        common.AddTo(command);
        command.SetAction((parse, cancellationToken) => SuiteSession.RunAsync(
            console,
            error,
            parse.GetValue(common.Suite)!,
            parse.GetValue(common.Reports)!,
            _ => Task.FromResult(new RunOptions
            {
                CassetteDirectory = parse.GetValue(common.Cassettes)!,
                Concurrency = parse.GetValue(common.Concurrency),
            }),
            cancellationToken));
        return command;
    }
}
