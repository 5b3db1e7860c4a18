using EvalHarness.Cli.Commands;
using Spectre.Console;

namespace EvalHarness.Tests.Support;

/// <summary>Runs the evalh command line in process, its output going to writers a test reads back.</summary>
internal static class Evalh
{
    public static Task<int> InvokeAsync(TextWriter output, TextWriter error, string[] args, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 250;
        return EvalhApp.InvokeAsync(args, console, error, cancellationToken);
    }
}
