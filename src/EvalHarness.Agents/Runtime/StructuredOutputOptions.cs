using EvalHarness.Agents.Schema;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Runtime;

/// <summary>Requires the final answer to be JSON matching a schema; a non-conforming answer is sent back for repair.</summary>
public sealed record StructuredOutputOptions
{
    /// <summary>Creates options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative repairs.</exception>
    public StructuredOutputOptions(JsonSchemaValidator schema, int maxRepairs = 2)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRepairs);
        Schema = schema;
        MaxRepairs = maxRepairs;
    }

    /// <summary>The schema the answer must match.</summary>
    public JsonSchemaValidator Schema { get; }

    /// <summary>How many times a non-conforming answer is sent back before the run fails.</summary>
    public int MaxRepairs { get; }

    /// <summary>Options whose schema is made from a C# type.</summary>
    public static StructuredOutputOptions For<T>(int maxRepairs = 2) =>
        new(JsonSchemaValidator.Create(AIJsonUtilities.CreateJsonSchema(typeof(T))), maxRepairs);
}
