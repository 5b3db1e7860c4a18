using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>A tool as the catalog knows it: its qualified name, how to build it over a case, and its traits.</summary>
/// <param name="QualifiedName"><c>toolkit.tool</c>, as suites write it.</param>
/// <param name="Create">Builds the function over one case's environment.</param>
/// <param name="SideEffecting">Whether a call changes the world.</param>
/// <param name="TransientRetries">How often a transient failure is retried.</param>
public sealed record ToolDefinition(string QualifiedName, Func<CaseEnvironment, AIFunction> Create, bool SideEffecting = false, int TransientRetries = 0)
{
    /// <summary>The toolkit the tool belongs to.</summary>
    public required IToolkit Toolkit { get; init; }
}
