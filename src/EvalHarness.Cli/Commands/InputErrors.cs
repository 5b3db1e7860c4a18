using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;

namespace EvalHarness.Cli.Commands;

/// <summary>Turns the exceptions that mean bad input (a missing run, an unreadable file, a malformed policy) into one error line and exit code 2.</summary>
internal static class InputErrors
{
    public static async Task<int> GuardAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is SuiteException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException)
        {
            await error.WriteLineAsync($"error: {Message(ex)}");
            return ExitCodes.InputError;
        }
    }

    /// <summary>
    /// The message a person should read: without .NET's "(Parameter 'x')" suffix; a suite's several errors each on a line
    /// of its own, each after the <c>error: </c> its caller writes first.
    /// </summary>
    public static string Message(Exception ex) => ex switch
    {
        ArgumentException { ParamName: { } name } => ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal),
        SuiteException { Errors.Count: > 1 } or SuiteException { More: > 0 } => string.Join("\nerror: ", ex.Message.Split('\n')),
        _ => ex.Message,
    };
}
