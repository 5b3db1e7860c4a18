using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Schema;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Tools;

/// <summary>A tool the agent may call, with what the runtime must know about it beyond its schema.</summary>
public sealed record AgentTool
{
    /// <summary>Wraps a function; its JSON schema is checked now, so a bad schema fails at load time.</summary>
    /// <exception cref="ArgumentException">The function's parameter schema is not usable.</exception>
    public AgentTool(AIFunction function, bool sideEffecting = false, ApprovalRule? approval = null, int transientRetries = 0)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentOutOfRangeException.ThrowIfNegative(transientRetries);
        Function = function;
        SideEffecting = sideEffecting;
        Approval = approval;
        TransientRetries = transientRetries;
        try
        {
            Validator = JsonSchemaValidator.Create(function.JsonSchema);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Tool '{function.Name}' has an unusable parameter schema: {ex.Message}", nameof(function), ex);
        }
    }

    /// <summary>The function the model calls.</summary>
    public AIFunction Function { get; }

    /// <summary>The name the model sees.</summary>
    public string Name => Function.Name;

    /// <summary>True when the tool changes the world (a refund, an email): it runs once per identical arguments within a run.</summary>
    public bool SideEffecting { get; }

    /// <summary>When a call needs a human's approval, or null for never.</summary>
    public ApprovalRule? Approval { get; }

    /// <summary>How many times a transient failure of the tool is retried.</summary>
    public int TransientRetries { get; }

    /// <summary>Validates the model's arguments against the tool's schema.</summary>
    public JsonSchemaValidator Validator { get; }
}
