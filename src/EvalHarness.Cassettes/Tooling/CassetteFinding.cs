namespace EvalHarness.Cassettes.Tooling;

/// <summary>One problem <c>evalh cassettes lint</c> found.</summary>
/// <param name="Path">The cassette file.</param>
/// <param name="Rule"><c>format</c>, <c>secret</c>, <c>unused</c>, <c>stale</c>, <c>case</c> or <c>partial</c>.</param>
/// <param name="Message">What is wrong and what to do.</param>
public sealed record CassetteFinding(string Path, string Rule, string Message);
