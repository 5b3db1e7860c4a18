using System.Collections.Concurrent;
using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Tools;

namespace EvalHarness.BuiltIn;

/// <summary>
/// The tools a suite can give the built-in runtime, by qualified name (<c>toolkit.tool</c>): the built-in toolkits',
/// and those of the toolkits a suite loads (<c>toolkits:</c>). The model sees each tool's own (wire) name.
/// </summary>
public static class ToolCatalog
{
    /// <summary>The harness's own toolkits.</summary>
    public static IReadOnlyList<IToolkit> BuiltIn { get; } =
    [
        new OrdersToolkit(), new MailToolkit(), new DocsToolkit(), new FilesToolkit(), new TestsToolkit(), new WebToolkit(),
        new CalculatorToolkit(), new ClockToolkit(), new SqlToolkit(), new InventoryToolkit(), new MemoryToolkit(),
    ];

    private static readonly Dictionary<string, ToolDefinition> BuiltInDefinitions = Index(BuiltIn);

    private static readonly ConcurrentDictionary<(IToolkit Toolkit, string Name), string> WireNames = new();

    /// <summary>Every built-in qualified tool name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. BuiltInDefinitions.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every qualified tool name with <paramref name="toolkits"/>' added, sorted.</summary>
    public static IReadOnlyList<string> NamesWith(IReadOnlyList<IToolkit> toolkits) =>
        toolkits.Count == 0 ? Names : [.. Names.Concat(Index(toolkits).Keys).Order(StringComparer.Ordinal)];

    /// <summary>The definition of a qualified tool name, among the built-in toolkits and <paramref name="toolkits"/>.</summary>
    public static ToolDefinition Get(string qualifiedName, IReadOnlyList<IToolkit>? toolkits = null) =>
        BuiltInDefinitions.TryGetValue(qualifiedName, out var definition) ? definition
        : toolkits is { Count: > 0 } && Index(toolkits).TryGetValue(qualifiedName, out var registered) ? registered
        : throw new ArgumentException($"There is no tool '{qualifiedName}'.", nameof(qualifiedName));

    /// <summary>Whether a qualified tool name exists among the built-in toolkits and <paramref name="toolkits"/>.</summary>
    public static bool Contains(string qualifiedName, IReadOnlyList<IToolkit>? toolkits = null) =>
        BuiltInDefinitions.ContainsKey(qualifiedName) || (toolkits is { Count: > 0 } && Index(toolkits).ContainsKey(qualifiedName));

    /// <summary>The name the model sees for a qualified name.</summary>
    public static string WireName(string qualifiedName, IReadOnlyList<IToolkit>? toolkits = null)
    {
        var definition = Get(qualifiedName, toolkits);
        return WireNames.GetOrAdd((definition.Toolkit, qualifiedName), key =>
        {
            // Read by building the tool once over empty fixtures (and only for the tools a suite names).
            using var probe = CaseEnvironment.Create(new Fixtures(), toolkits: toolkits);
            return Get(key.Name, toolkits).Create(probe).Name;
        });
    }

    /// <summary>Builds the allow-listed tools over one case's environment, with their traits and approval rules.</summary>
    public static IReadOnlyList<AgentTool> Build(CaseEnvironment environment, IEnumerable<string> qualifiedNames, IReadOnlyDictionary<string, ApprovalRule>? approvals = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return [.. qualifiedNames.Select(name =>
        {
            var definition = Get(name, environment.Toolkits);
            return new AgentTool(definition.Create(environment), definition.SideEffecting, approvals?.GetValueOrDefault(name), definition.TransientRetries);
        })];
    }

    private static Dictionary<string, ToolDefinition> Index(IEnumerable<IToolkit> toolkits) =>
        toolkits.SelectMany(toolkit => toolkit.Tools.Select(tool => new ToolDefinition(
                $"{toolkit.Name}.{tool.Name}", env => tool.Create(env.StateOf(toolkit)), tool.SideEffecting, tool.TransientRetries) { Toolkit = toolkit }))
            .ToDictionary(d => d.QualifiedName, StringComparer.Ordinal);
}
