namespace EvalHarness.Core.Results;

/// <summary>The process exit codes every command uses.</summary>
public static class ExitCodes
{
    /// <summary>Everything passed.</summary>
    public const int Ok = 0;

    /// <summary>An evaluation or the gate failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or input: a malformed suite, a missing or mismatched cassette.</summary>
    public const int InputError = 2;

    /// <summary>A bug in evalh itself: an exception nobody meant the user to see (it is printed with its stack trace).</summary>
    public const int Bug = 3;

    /// <summary>The exit code for a finished run: input errors outrank failures.</summary>
    public static int For(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Summary.Errors > 0 || run.Interrupted is not null ? InputError : run.Summary.Failed > 0 ? Failed : Ok;
    }
}
