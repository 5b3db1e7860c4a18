using System.CommandLine;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Results;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>The <c>evalh</c> command line: parses, then hands over to Core.</summary>
public static class EvalhApp
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Build(IAnsiConsole console, TextWriter error)
    {
        var root = new RootCommand(
            "EvalHarness: evaluate LLM agents against scenario suites, replaying recorded model traffic.\n"
            + "Exit codes: 0 every case passed (or the gate passed), 1 a case or the gate failed, 2 the run could not be judged: bad input (suite, cassette, policy, usage), a case past --case-timeout, or Ctrl+C; 3 a bug in evalh (printed with its stack trace).");
        root.Subcommands.Add(Init.InitCommand.Build(console, error));
        root.Subcommands.Add(SuiteCommand.Build(console, error, "run",
            "Replay a suite from its cassettes (no network, no API key), score every case and write the reports.", defaultMode: null));
        root.Subcommands.Add(SuiteCommand.Build(console, error, "record",
            "Run a suite against a model provider (--upstream), recording every model call into the cassette folder (by default replacing the suite's cassettes).",
            defaultMode: RecordMode.All));
        root.Subcommands.Add(LoadCommand.Build(console, error));
        root.Subcommands.Add(ServeCommand.Build(console, error));
        root.Subcommands.Add(McpCommand.Build(error));
        root.Subcommands.Add(CassettesCommand.Build(console, error));
        root.Subcommands.Add(MergeCommand.Build(console, error));
        root.Subcommands.Add(ReportCommand.Build(console, error));
        root.Subcommands.Add(CompareCommand.Build(console, error));
        root.Subcommands.Add(ViewCommand.Build(console, error));
        root.Subcommands.Add(GateCommand.Build(console, error));
        root.Subcommands.Add(BaselineCommand.Build(console, error));
        return root;
    }

    /// <summary>The terminal; when output goes to a file or a CI log, wide enough that tables do not wrap.</summary>
    private static IAnsiConsole CreateConsole()
    {
        // A file or CI log gets no colour or link codes (nor does anyone who sets NO_COLOR), and lines wide enough not to wrap.
        var plain = Console.IsOutputRedirected || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 400;
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

        // One mapping of exceptions to exit codes (InputErrors): System.CommandLine's own handler would print any exception
        // and exit 1, which reads as a failed evaluation.
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception ex) when (InputErrors.IsInput(ex))
        {
            await error.WriteLineAsync($"error: {InputErrors.Message(ex)}");
            return ExitCodes.InputError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled.");
            return ExitCodes.InputError;
        }
        catch (Exception ex)
        {
            return await InputErrors.BugAsync(error, ex);
        }
    }
}
