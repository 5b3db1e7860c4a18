using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.Reports;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// The one mapping of exceptions to exit codes: what means bad input (a malformed suite, policy or cassette, a missing
/// file, an option that does not validate) is one error line and exit code 2; anything else is a bug in evalh, exit code 3
/// with its stack trace, so a bug never reads as the user's mistake.
/// </summary>
internal static class InputErrors
{
    public static async Task<int> GuardAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (IsInput(ex))
        {
            await error.WriteLineAsync($"error: {Message(ex)}");
            return ExitCodes.InputError;
        }
    }

    /// <summary>
    /// Whether an exception is the user's input (exit 2): a suite, policy, script or option with a mistake (SuiteException,
    /// and the ArgumentException that options and stores throw when they validate what they were given), a cassette that
    /// cannot be read, a file or folder that is not there or not what it should be, an OTLP endpoint that refuses, a served
    /// agent's service that does not start.
    /// ArgumentNullException is never the user's: it is a bug.
    /// </summary>
    public static bool IsInput(Exception ex) =>
        ex is SuiteException or Cassettes.Format.CassetteFormatException or Core.Running.TraceExportException or Core.UnderTest.ServiceStartException
            or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
            || (ex is ArgumentException && ex is not ArgumentNullException);

    /// <summary>Reports an exception that is not the user's input: a bug in evalh, with what to do about it and the stack trace.</summary>
    public static async Task<int> BugAsync(TextWriter error, Exception ex)
    {
        await error.WriteLineAsync($"error: this is a bug in evalh {typeof(InputErrors).Assembly.GetName().Version?.ToString(3)}, not a mistake of yours: {ex.GetType().Name}: {ex.Message}");
        await error.WriteLineAsync("Please report it with the command you ran and this trace (https://github.com/evalharness/evalharness/issues):");
        await error.WriteLineAsync(ex.ToString());
        return ExitCodes.Bug;
    }

    /// <summary>
    /// The message a person should read: without .NET's "(Parameter 'x')" suffix; a suite's several errors each on a line
    /// of its own, each after the <c>error: </c> its caller writes first.
    /// </summary>
    public static string Message(Exception ex) => ex switch
    {
        ArgumentException => InputMessages.Of(ex),
        SuiteException { Errors.Count: > 1 } or SuiteException { More: > 0 } => string.Join("\nerror: ", ex.Message.Split('\n')),
        _ => ex.Message,
    };
}
