using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// Loads a team's agent (or a suite's toolkits and assertions) with the dependencies its build put beside it.
/// The assemblies whose types cross between harness and agent (EvalHarness's own, Microsoft.Extensions.AI's
/// abstractions and evaluation types, Microsoft Agent Framework's, the .NET runtime's) are always the harness's, by
/// name, whatever version the agent was built on: a copy of the agent's own would make a second <c>IChatClient</c> and <c>AgentCase</c>, and the agent
/// would fail on the first member it touches (issue 25, bug 18). Any other assembly is the harness's when it has one
/// at least as new, else the agent's own copy.
/// </summary>
internal sealed class AgentLoadContext(string path) : AssemblyLoadContext($"agent:{Path.GetFileName(path)}")
{
    // Microsoft Agent Framework's too: the harness runs an AIAgent as it is (FrameworkAgent), so AIAgent must be one type.
    private static readonly string[] SharedNames =
        ["Microsoft.Extensions.AI.Abstractions", "Microsoft.Extensions.AI.Evaluation", "Microsoft.Agents.AI.Abstractions", "Microsoft.Agents.AI"];

    private static readonly Lazy<HashSet<string>> FrameworkNames = new(ReadFrameworkNames);

    private readonly AssemblyDependencyResolver _resolver = new(path);
    private readonly ConcurrentDictionary<string, NewerContract> _newer = new(StringComparer.Ordinal);

    /// <summary>The shared assemblies the agent was built on in a newer version than the harness carries.</summary>
    public IReadOnlyCollection<NewerContract> Newer => [.. _newer.Values.OrderBy(n => n.Assembly, StringComparer.Ordinal)];

    /// <summary>Whether the harness always gives an agent its own copy of the assembly <paramref name="name"/>.</summary>
    internal static bool IsShared(string name) =>
        name.StartsWith("EvalHarness.", StringComparison.Ordinal) || SharedNames.Contains(name, StringComparer.Ordinal) || FrameworkNames.Value.Contains(name);

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && IsShared(name) && HarnessCopy(name) is { } shared)
        {
            if (assemblyName.Version is { } wanted && shared.GetName().Version is { } carried && wanted > carried)
            {
                _newer.TryAdd(name, new NewerContract(name, AgentVersion(assemblyName), ProductVersion(shared)));
            }

            return shared;
        }

        try
        {
            return Default.LoadFromAssemblyName(assemblyName);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException)
        {
            return _resolver.ResolveAssemblyToPath(assemblyName) is { } found ? LoadFromAssemblyPath(found) : null;
        }
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } found ? LoadUnmanagedDllFromPath(found) : IntPtr.Zero;

    /// <summary>The harness's copy of an assembly, loaded or loadable by name alone; null when it has none.</summary>
    private static Assembly? HarnessCopy(string name)
    {
        if (Default.Assemblies.FirstOrDefault(a => a.GetName().Name == name) is { } loaded)
        {
            return loaded;
        }

        try
        {
            return Default.LoadFromAssemblyName(new AssemblyName(name));
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException)
        {
            return null;
        }
    }

    /// <summary>The package version of the agent's own copy (its file's product version), else the version it asked for.</summary>
    private string AgentVersion(AssemblyName wanted) =>
        _resolver.ResolveAssemblyToPath(wanted) is { } file && Shorten(FileVersionInfo.GetVersionInfo(file).ProductVersion) is { } product
            ? product
            : wanted.Version!.ToString(3);

    private static string ProductVersion(Assembly assembly) =>
        Shorten(assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion) ?? assembly.GetName().Version!.ToString(3);

    /// <summary>A version without its source revision (<c>11.0.0+c60d72e</c> is 11.0.0).</summary>
    private static string? Shorten(string? version) =>
        string.IsNullOrWhiteSpace(version) ? null : version.Split('+')[0];

    /// <summary>The assemblies of the .NET runtime the harness runs on (System.Text.Json's JsonElement crosses too), by name.</summary>
    private static HashSet<string> ReadFrameworkNames()
    {
        // <dotnet>/shared/Microsoft.NETCore.App/<version>/, beside System.Private.CoreLib. By name, also where the harness
        // carries a newer package of one (System.Diagnostics.DiagnosticSource with Microsoft.Extensions.AI 11): its
        // ActivitySource is the harness's either way. ASP.NET Core's assemblies cross nothing and are not shared.
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location);
        return string.IsNullOrEmpty(runtime) || !Directory.Exists(runtime)
            ? []
            : Directory.EnumerateFiles(runtime, "*.dll").Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }
}
