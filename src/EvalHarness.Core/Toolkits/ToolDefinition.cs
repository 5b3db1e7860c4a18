using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Toolkits;

/// <summary>A tool in the catalog: how to build it over a case's environment, and what the runtime must know about it.</summary>
/// <param name="QualifiedName"><c>toolkit.tool</c>.</param>
/// <param name="Create">Builds the function over one case's environment.</param>
/// <param name="SideEffecting">Whether it changes the world (runs once per identical arguments).</param>
/// <param name="TransientRetries">How often a transient failure is retried.</param>
public sealed record ToolDefinition(string QualifiedName, Func<CaseEnvironment, AIFunction> Create, bool SideEffecting = false, int TransientRetries = 0);
