namespace EvalHarness;

/// <summary>One span of a case's trace: the run, a step, a model call, a tool call or a sub-agent.</summary>
/// <param name="Id">The span's id within the case (1-based, in start order).</param>
/// <param name="ParentId">The enclosing span, or 0 for the run itself.</param>
/// <param name="Kind"><c>run</c>, <c>step</c>, <c>model</c>, <c>tool</c>, <c>summary</c> or <c>agent</c>.</param>
/// <param name="Name">What ran: the agent, step number, model id or tool name.</param>
/// <param name="StartMs">Milliseconds from the start of the run.</param>
/// <param name="DurationMs">How long it took.</param>
/// <param name="Status"><c>ok</c>, or the error in a few words.</param>
/// <param name="Tags">Details such as tokens, cost, retries, arguments.</param>
public sealed record TraceSpan(int Id, int ParentId, string Kind, string Name, double StartMs, double DurationMs, string Status, IReadOnlyDictionary<string, string> Tags);
