using System.Text.RegularExpressions;

namespace EvalHarness.Cassettes.Secrets;

/// <summary>Replaces what a pattern matches in every text of a recorded body (and of incoming requests before matching).</summary>
/// <param name="Pattern">What to find.</param>
/// <param name="Replacement">What to write instead; <c>$1</c> and friends work.</param>
public sealed record Scrubber(Regex Pattern, string Replacement)
{
    /// <summary>Builds a scrubber from a pattern's text.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
    public static Scrubber Create(string pattern, string replacement = "[scrubbed]")
    {
        try
        {
            return new Scrubber(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), replacement);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The scrubber pattern '{pattern}' is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
        }
    }
}
