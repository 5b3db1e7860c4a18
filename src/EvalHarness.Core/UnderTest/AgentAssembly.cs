using System.Reflection;
using System.Runtime.Loader;

namespace EvalHarness.Core.UnderTest;

/// <summary>Finds a team's .NET agent type: in a built assembly (with its own dependencies), or among those already loaded.</summary>
public static class AgentAssembly
{
    private static readonly Dictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);

    /// <summary>The type named <paramref name="typeName"/>, from <paramref name="path"/> or, when it is null, from the loaded assemblies.</summary>
    /// <exception cref="ArgumentException">The file or type is missing, or the type is not a usable <see cref="IAgentUnderTest"/>; the message says what to do.</exception>
    public static Type FindType(string? path, string typeName)
    {
        Type? type;
        if (path is null)
        {
            type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
            if (type is null)
            {
                throw new ArgumentException($"no loaded assembly has the type '{typeName}'. Name the built assembly with dotnet.assembly (a path relative to the suite), or pass the agent in code.");
            }
        }
        else
        {
            var assembly = Load(path);
            type = assembly.GetType(typeName, throwOnError: false);
            if (type is null)
            {
                var agents = assembly.GetExportedTypes().Where(IsAgent).Select(t => t.FullName).ToList();
                throw new ArgumentException($"'{path}' has no type '{typeName}'. {(agents.Count > 0 ? $"Its agents: {string.Join(", ", agents)}." : $"It has no public {nameof(IAgentUnderTest)}.")}");
            }
        }

        return IsAgent(type)
            ? type
            : throw new ArgumentException($"'{typeName}' must be a public, non-abstract class that implements {typeof(IAgentUnderTest).FullName} and has a public parameterless constructor.");
    }

    /// <summary>
    /// Loads a built assembly and creates one instance of each of its public, non-abstract <typeparamref name="T"/>
    /// with a parameterless constructor: the suite's custom assertions and toolkits.
    /// </summary>
    /// <exception cref="ArgumentException">The file is missing (<paramref name="missing"/>), not a .NET assembly, or holds none (<paramref name="none"/>).</exception>
    internal static List<T> CreateAll<T>(string path, string missing, string none)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException(missing);
        }

        var found = Load(path).GetExportedTypes()
            .Where(t => typeof(T).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (T)Activator.CreateInstance(t)!)
            .ToList();
        return found.Count > 0 ? found : throw new ArgumentException(none);
    }

    private static bool IsAgent(Type type) =>
        typeof(IAgentUnderTest).IsAssignableFrom(type) && type is { IsVisible: true, IsAbstract: false, IsInterface: false } && type.GetConstructor(Type.EmptyTypes) is not null;

    /// <summary>Loads a built assembly with its own dependencies (shared with the harness where it has them).</summary>
    internal static Assembly Load(string path)
    {
        var full = Path.GetFullPath(path);
        lock (Loaded)
        {
            if (Loaded.TryGetValue(full, out var known))
            {
                return known;
            }

            if (!File.Exists(full))
            {
                throw new ArgumentException($"the agent assembly '{path}' does not exist. Build the agent first (dotnet build), or fix the path (it is relative to the suite).");
            }

            try
            {
                var assembly = new AgentLoadContext(full).LoadFromAssemblyPath(full);
                Loaded[full] = assembly;
                return assembly;
            }
            catch (BadImageFormatException ex)
            {
                throw new ArgumentException($"'{path}' is not a .NET assembly ({ex.Message}).", ex);
            }
        }
    }

    /// <summary>
    /// Loads an agent with the dependencies its build put beside it, but shares every assembly the harness has
    /// itself (its own, Microsoft.Extensions.AI's abstractions …), so the agent's <see cref="IAgentUnderTest"/> and
    /// <c>IChatClient</c> are the harness's types.
    /// </summary>
    private sealed class AgentLoadContext(string path) : AssemblyLoadContext($"agent:{Path.GetFileName(path)}")
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            try
            {
                return Default.LoadFromAssemblyName(assemblyName);
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException)
            {
                return _resolver.ResolveAssemblyToPath(assemblyName) is { } found ? LoadFromAssemblyPath(found) : null;
            }
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } found ? LoadUnmanagedDllFromPath(found) : IntPtr.Zero;
    }
}
