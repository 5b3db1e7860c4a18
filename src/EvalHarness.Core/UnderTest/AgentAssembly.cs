using System.Reflection;
using System.Runtime.Loader;

namespace EvalHarness.Core.UnderTest;

/// <summary>Finds a team's .NET agent type: in a built assembly (with its own dependencies), or among those already loaded.</summary>
internal static class AgentAssembly
{
    private static readonly Dictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);

    /// <summary>The type named <paramref name="typeName"/>, from <paramref name="path"/> or, when it is null, from the loaded assemblies.</summary>
    /// <exception cref="ArgumentException">
    /// The file or type is missing, or the type is neither a usable <see cref="IAgentUnderTest"/> nor an Agent Framework agent
    /// the harness can build (<see cref="FrameworkAgent.FactoryOf"/>); the message says what to do.
    /// </exception>
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
            try
            {
                type = assembly.GetType(typeName, throwOnError: false);
                if (type is null)
                {
                    var agents = assembly.GetExportedTypes().Where(IsAgent).Select(t => t.FullName).ToList();
                    throw new ArgumentException($"'{path}' has no type '{typeName}'. {(agents.Count > 0 ? $"Its agents: {string.Join(", ", agents)}." : $"It has no public {nameof(IAgentUnderTest)}.")}");
                }
            }
            catch (Exception ex) when (IsMissingMember(ex))
            {
                throw new ArgumentException($"'{path}' could not be read ({ex.GetType().Name}: {ex.Message}).{VersionNote(ex, assembly, "It")}", ex);
            }
        }

        if (IsAgent(type))
        {
            return type;
        }

        // An Agent Framework agent is run as it is (FrameworkAgent), built on the case's chat client by its constructor or Create.
        throw new ArgumentException(FrameworkAgent.IsFrameworkAgent(type)
            ? $"'{typeName}' is a Microsoft Agent Framework agent (it derives from AIAgent) that the harness cannot build on the case's chat client: "
                + $"give it a public constructor taking an IChatClient (public {type.Name}(IChatClient chatClient) : base(chatClient, …)), "
                + "or a public static Create(IChatClient chatClient) that returns the AIAgent."
            : $"'{typeName}' must be a public, non-abstract class that implements {typeof(IAgentUnderTest).FullName} and has a public parameterless constructor, "
                + "or a Microsoft Agent Framework agent (an AIAgent) with a public constructor taking an IChatClient or a public static Create(IChatClient).");
    }

    /// <summary>
    /// Loads a built assembly and creates one instance of each of its public, non-abstract <typeparamref name="T"/>
    /// with a parameterless constructor: the suite's toolkits.
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
        (typeof(IAgentUnderTest).IsAssignableFrom(type) && type is { IsVisible: true, IsAbstract: false, IsInterface: false } && type.GetConstructor(Type.EmptyTypes) is not null)
        || FrameworkAgent.FactoryOf(type) is not null;

    /// <summary>Loads a built assembly with its own dependencies, but the harness's copies of those both use (<see cref="AgentLoadContext"/>).</summary>
    internal static Assembly Load(string path, string what = "agent")
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
                throw new ArgumentException($"the {what} assembly '{path}' does not exist. Build the {what} first (dotnet build), or fix the path (it is relative to the suite).");
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
    /// A sentence to add to an error of a loaded agent's (or toolkit's, or assertion's) when it may come from a shared
    /// assembly it was built on in a newer version than the harness carries: a missing method, member or type, which is
    /// what an agent on Microsoft.Extensions.AI 12 meets in a harness on 11. Empty otherwise.
    /// </summary>
    /// <param name="exception">What the agent threw.</param>
    /// <param name="assembly">The agent's assembly; null when the agent could not be created, to look at every loaded one.</param>
    /// <param name="subject">What threw, as the sentence starts: "The agent", "The evaluator".</param>
    internal static string VersionNote(Exception exception, Assembly? assembly, string subject = "The agent")
    {
        if (exception is FileNotFoundException { FileName: { Length: > 0 } missing } && assembly is not null)
        {
            // A dependency of the plug-in's own that is not beside it: a class library's build does not copy its packages.
            return $" {subject} depends on {missing.Split(',')[0]}, which is not beside its assembly: build it with "
                + "<EnableDynamicLoading>true</EnableDynamicLoading> in its project, so its dependencies are copied to its output.";
        }

        if (!IsMissingMember(exception))
        {
            return string.Empty;
        }

        List<NewerContract> newer;
        lock (Loaded)
        {
            IEnumerable<Assembly> assemblies = assembly is null ? Loaded.Values : [assembly];
            newer = [.. assemblies
                .Select(AssemblyLoadContext.GetLoadContext)
                .OfType<AgentLoadContext>()
                .SelectMany(c => c.Newer)
                .DistinctBy(n => n.Assembly)];
        }

        var harness = Assembly.GetEntryAssembly()?.GetName().Name == "evalh" ? "evalh" : "EvalHarness";
        return string.Concat(newer.Select(n =>
            $" {subject} was built on {n.Assembly} {n.AgentVersion}; this {harness} carries {n.HarnessVersion}: build it on {n.Assembly} {n.HarnessVersion} or earlier, or update {harness}."));
    }

    private static bool IsMissingMember(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is MissingMemberException or TypeLoadException
                || (exception is ReflectionTypeLoadException loading && loading.LoaderExceptions.Any(IsMissingMember)))
            {
                return true;
            }
        }

        return false;
    }
}
