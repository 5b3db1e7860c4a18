using System.CommandLine;
using EvalHarness.Core.Results;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>The <c>evalh</c> command line: parses, then hands over to Core.</summary>
public static class EvalhApp
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Build(IAnsiConsole console)
    {
        var root = new RootCommand("EvalHarness: evaluate LLM agents against scenario suites, replaying recorded model traffic.");
        root.Subcommands.Add(RunCommand.Build(console));
        root.Subcommands.Add(RecordCommand.Build(console));
        return root;
    }

    /// <summary>The terminal; when output goes to a file or a CI log, wide enough that tables do not wrap.</summary>
    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    /// <summary>Runs the command line; usage errors exit with 2.</summary>
    public static async Task<int> InvokeAsync(string[] args, IAnsiConsole? console = null, CancellationToken cancellationToken = default)
    {
        console ??= CreateConsole();
        var parse = Build(console).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync("Run 'evalh --help' for usage.");
            return ExitCodes.InputError;
        }

        return await parse.InvokeAsync(cancellationToken: cancellationToken);
    }
}
