using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>Markup lines built by interpolation, formatted with the invariant culture.</summary>
internal static class ConsoleExtensions
{
    /// <summary>
    /// Writes an interpolated markup line. Unlike <c>MarkupLine(provider, format)</c> the text is not a format string
    /// afterwards, so braces in a model's output or an assertion's reason (JSON above all) print as they are.
    /// </summary>
    public static void MarkupLineInvariant(this IAnsiConsole console, FormattableString text) =>
        console.MarkupLine(FormattableString.Invariant(text));
}
