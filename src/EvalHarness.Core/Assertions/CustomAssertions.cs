using System.Reflection;

namespace EvalHarness.Core.Assertions;

/// <summary>Finds the <see cref="ICaseAssertion"/> implementations of an assembly.</summary>
public static class CustomAssertions
{
    /// <summary>Loads an assembly and creates one instance of each public, non-abstract <see cref="ICaseAssertion"/> with a parameterless constructor.</summary>
    /// <exception cref="ArgumentException">The file is missing, not a .NET assembly, or holds no assertion; the message says which.</exception>
    public static IReadOnlyList<ICaseAssertion> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"the assertion assembly '{path}' does not exist. Build it first, or fix the path (it is relative to the suite).");
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.LoadFrom(Path.GetFullPath(path));
        }
        catch (BadImageFormatException ex)
        {
            throw new ArgumentException($"'{path}' is not a .NET assembly ({ex.Message}).", ex);
        }

        var found = assembly.GetExportedTypes()
            .Where(t => typeof(ICaseAssertion).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (ICaseAssertion)Activator.CreateInstance(t)!)
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
        return found.Count > 0
            ? found
            : throw new ArgumentException($"'{path}' holds no public {nameof(ICaseAssertion)} with a parameterless constructor.");
    }
}
