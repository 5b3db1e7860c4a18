using EvalHarness.Core.Results;

namespace EvalHarness.Core.Assertions;

/// <summary>
/// A custom assertion written in C#. Put implementations (public, with a parameterless constructor) in an
/// assembly, list the assembly under the suite's <c>assertions:</c>, and use them by <see cref="Name"/> in
/// <c>expect.custom</c>.
/// </summary>
public interface ICaseAssertion
{
    /// <summary>The name suites use, e.g. <c>polite_tone</c>.</summary>
    string Name { get; }

    /// <summary>Judges one run; the verdict's reason is shown to people, so make it say why.</summary>
    AssertionVerdict Evaluate(AssertionContext context);
}
