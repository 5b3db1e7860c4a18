namespace EvalHarness.Core.Suites;

/// <summary>How <see cref="SuiteLoader"/> loads a suite.</summary>
public sealed record SuiteLoadOptions
{
    /// <summary>The options a run gets unless it says otherwise: paths stay inside the suite's repository.</summary>
    public static SuiteLoadOptions Default { get; } = new();

    /// <summary>
    /// Lets the suite name files and folders outside its repository (or, for a suite in none, outside its own folder):
    /// <c>--allow-outside</c> on the command line. Off by default, so a suite from elsewhere cannot read any file on the machine.
    /// </summary>
    public bool AllowOutside { get; init; }
}
