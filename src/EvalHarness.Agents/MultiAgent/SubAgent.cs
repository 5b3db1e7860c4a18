using EvalHarness.Agents.Runtime;

namespace EvalHarness.Agents.MultiAgent;

/// <summary>
/// A specialist a supervisor can delegate to. The supervisor sees it as a tool <c>ask_&lt;name&gt;</c>
/// taking a task; the specialist runs with its own prompt, tools and limits, and its steps, tokens and
/// cost are attributed to it in the trace.
/// </summary>
/// <param name="Name">The specialist's name (letters, digits, '_' and '-').</param>
/// <param name="Description">What it is good at, shown to the supervisor.</param>
/// <param name="Options">How it runs.</param>
public sealed record SubAgent(string Name, string Description, AgentOptions Options)
{
    /// <summary>The tool name the supervisor calls.</summary>
    public string ToolName => $"ask_{Name}";
}
