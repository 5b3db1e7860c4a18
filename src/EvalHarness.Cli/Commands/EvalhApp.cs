using System.CommandLine;
using EvalHarness.Core.Results;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>The <c>evalh</c> command line: parses, then hands over to Core.</summary>
public static class EvalhApp
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Build(IAnsiConsole console, TextWriter error)
    {
        var root = new RootCommand("EvalHarness: evaluate LLM agents against scenario suites, replaying recorded model traffic.");
        root.Subcommands.Add(RunCommand.Build(console, error));
        root.Subcommands.Add(RecordCommand.Build(console, error));
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
    /// <param name="args">The command line.</param>
    /// <param name="console">Where output goes; the terminal by default.</param>
    /// <param name="error">Where errors go; standard error by default.</param>
    /// <param name="cancellationToken">Stops a run.</param>
    public static async Task<int> InvokeAsync(string[] args, IAnsiConsole? console = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        console ??= CreateConsole();
        error ??= Console.Error;
        var parse = Build(console, error).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }

            await error.WriteLineAsync("Run 'evalh --help' for usage.");
            return ExitCodes.InputError;
        }

        return await parse.InvokeAsync(cancellationToken: cancellationToken);
    }
}
