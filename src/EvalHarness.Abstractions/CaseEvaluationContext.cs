using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace EvalHarness;

/// <summary>
/// What the harness gives an <see cref="IEvaluator"/> besides the conversation and the answer, in its
/// <c>additionalContext</c>: the case, the agent's report (tool calls with the names suites use, counters, tokens, cost,
/// the transcript), the arguments the suite gives this evaluator (<c>args:</c>) and the end state of the agent's world.
/// An evaluator written against Microsoft.Extensions.AI.Evaluation alone ignores it; one that wants it finds it with
/// <c>additionalContext?.OfType&lt;CaseEvaluationContext&gt;().FirstOrDefault()</c>.
/// </summary>
public sealed class CaseEvaluationContext : EvaluationContext
{
    /// <summary>The name the context goes by in an evaluation's stored results.</summary>
    public const string ContextName = "EvalHarness case";

    private readonly Func<string, JsonElement?> _state;

    /// <summary>Creates the context of one case.</summary>
    /// <param name="caseId">The case, as its cassette id: <c>suite/variant/scenario/t1</c>.</param>
    /// <param name="scenario">The scenario's name.</param>
    /// <param name="report">The agent's report of its run, with what its recorded traffic says filled in.</param>
    /// <param name="arguments">What the suite gives the evaluator (<c>args:</c>); an undefined element when it gives nothing.</param>
    /// <param name="state">Reads a state path of the agent's world after the run (<c>orders.A1.status</c>); null when there is none.</param>
    public CaseEvaluationContext(string caseId, string scenario, AgentReport report, JsonElement arguments, Func<string, JsonElement?>? state = null)
        : base(ContextName, new TextContent($"case {caseId}: {report?.ToolCalls?.Count ?? 0} tool call(s)"))
    {
        ArgumentNullException.ThrowIfNull(report);
        CaseId = caseId;
        Scenario = scenario;
        Report = report;
        Arguments = arguments;
        _state = state ?? (_ => null);
    }

    /// <summary>The case, as its cassette id: <c>suite/variant/scenario/t1</c>.</summary>
    public string CaseId { get; }

    /// <summary>The scenario's name.</summary>
    public string Scenario { get; }

    /// <summary>The agent's report of its run: output, outcome, tool calls, counters, tokens, cost, transcript, trace.</summary>
    public AgentReport Report { get; }

    /// <summary>The run's tool calls, by the names suites use.</summary>
    public IReadOnlyList<ToolCallResult> ToolCalls => Report.ToolCalls ?? [];

    /// <summary>What the suite gives this evaluator (<c>args:</c>, as JSON); <see cref="JsonValueKind.Undefined"/> when nothing.</summary>
    public JsonElement Arguments { get; }

    /// <summary>
    /// The value at a state path after the run, as <c>expect.state</c> reads it: the built-in runtime's world, or the
    /// state an own agent reported. Null when there is nothing there.
    /// </summary>
    public JsonElement? ReadState(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _state(path);
    }
}
