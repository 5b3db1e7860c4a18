using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>One tool of a toolkit.</summary>
/// <param name="Name">The second segment of its qualified name (<c>refund_order</c> in <c>orders.refund_order</c>).</param>
/// <param name="Create">Makes the function the model calls, over one case's state.</param>
public sealed record ToolkitTool(string Name, Func<IToolkitState, AIFunction> Create)
{
    /// <summary>Whether a call changes the world: a repeated identical call is answered from the first, not run again.</summary>
    public bool SideEffecting { get; init; }

    /// <summary>How often the runtime retries a call that failed with a transient error.</summary>
    public int TransientRetries { get; init; }
}
