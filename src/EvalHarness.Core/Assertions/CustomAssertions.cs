using EvalHarness.Core.UnderTest;

namespace EvalHarness.Core.Assertions;

/// <summary>Finds the <see cref="ICaseAssertion"/> implementations of an assembly.</summary>
public static class CustomAssertions
{
    /// <summary>Loads an assembly and creates one instance of each public, non-abstract <see cref="ICaseAssertion"/> with a parameterless constructor.</summary>
    /// <exception cref="ArgumentException">The file is missing, not a .NET assembly, or holds no assertion; the message says which.</exception>
    public static IReadOnlyList<ICaseAssertion> Load(string path) =>
        [.. AgentAssembly.CreateAll<ICaseAssertion>(
                path,
                $"the assertion assembly '{path}' does not exist. Build it first, or fix the path (it is relative to the suite).",
                $"'{path}' holds no public {nameof(ICaseAssertion)} with a parameterless constructor.")
            .OrderBy(a => a.Name, StringComparer.Ordinal)];
}
