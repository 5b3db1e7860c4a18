using System.Collections.Concurrent;
using System.Diagnostics;
using EvalHarness.Core.Results;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EvalHarness.Core.Running;

/// <summary>
/// A run's OTLP export: its traces, and each case's assertions as OpenTelemetry GenAI <c>gen_ai.evaluation.result</c>
/// events. The conventions define those events as log records (the Logs data model's events, named by the record's
/// event name) carrying the context of the span they evaluate, not as span events; so they go to the collector's
/// <c>v1/logs</c>, each with the trace and span id of the case's <c>invoke_agent</c> span. Dispose to send the rest.
/// </summary>
internal sealed class OtlpExport : IDisposable
{
    /// <summary>The event's name in the GenAI conventions.</summary>
    public const string EventName = "gen_ai.evaluation.result";

    /// <summary>The logger's category: the events' instrumentation scope.</summary>
    public const string Scope = "EvalHarness.Evaluation";

    private readonly TracerProvider _traces;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _events;
    private readonly AgentSpans _agents = new();

    /// <summary>Starts exporting traces to <paramref name="traces"/> and evaluation events to <paramref name="logs"/>.</summary>
    public OtlpExport(Uri traces, Uri logs, string source)
    {
        var resource = ResourceBuilder.CreateDefault().AddService("evalh", serviceVersion: typeof(OtlpExport).Assembly.GetName().Version?.ToString());
        _traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(source)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(_agents)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = traces;
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();
        _logs = LoggerFactory.Create(builder => builder.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.AddProcessor(new Reparent()); // before the exporter's, which reads the record's context
            o.AddOtlpExporter(e =>
            {
                e.Endpoint = logs;
                e.Protocol = OtlpExportProtocol.HttpProtobuf;
            });
        }));
        _events = _logs.CreateLogger(Scope);
    }

    /// <summary>
    /// Sends a <c>gen_ai.evaluation.result</c> event per verdict of <paramref name="result"/>, parented to the case's
    /// last <c>invoke_agent</c> span (the agent run its assertions judge), else, for an agent the harness runs no span
    /// of its own for (a process, a service, a tool check), to the case's span.
    /// </summary>
    public void Evaluated(Activity caseSpan, CaseResult result)
    {
        var evaluated = _agents.Take(caseSpan.SpanId) ?? caseSpan.Context;
        foreach (var verdict in result.Verdicts)
        {
            Reparent.Target = evaluated;
            try
            {
                _events.Log(LogLevel.Information, new EventId(0, EventName), Attributes(verdict), null, static (_, _) => EventName);
            }
            finally
            {
                Reparent.Target = null;
            }
        }
    }

    /// <summary>
    /// The event's attributes: the assertion's name, its score (the judge's own, else 1 for a pass and 0 for a
    /// fail), pass or fail as the label, and its reason as the explanation.
    /// </summary>
    internal static IReadOnlyList<KeyValuePair<string, object?>> Attributes(AssertionVerdict verdict) =>
    [
        new("gen_ai.evaluation.name", verdict.Kind),
        new("gen_ai.evaluation.score.value", verdict.Score ?? (verdict.Passed ? 1.0 : 0.0)),
        new("gen_ai.evaluation.score.label", verdict.Passed ? "pass" : "fail"),
        new("gen_ai.evaluation.explanation", verdict.Reason),
    ];

    /// <inheritdoc />
    public void Dispose()
    {
        // The traces first: a backend that joins an event to its span finds the span there already.
        _traces.Dispose();
        _logs.Dispose();
    }

    /// <summary>
    /// Remembers each case's <c>invoke_agent</c> span as it ends (a direct child of the case's span), so its events can
    /// name it after it has ended: the assertions run once the agent is done.
    /// </summary>
    private sealed class AgentSpans : BaseProcessor<Activity>
    {
        private readonly ConcurrentDictionary<ActivitySpanId, ActivityContext> _byCase = new();

        public override void OnEnd(Activity data)
        {
            if (data.GetTagItem("gen_ai.operation.name") as string == "invoke_agent" && data.Parent is { } parent && parent.DisplayName.StartsWith(OtlpTracing.CaseSpanPrefix, StringComparison.Ordinal))
            {
                _byCase[parent.SpanId] = data.Context; // several runs (a conversation's turns): the last one's
            }
        }

        public ActivityContext? Take(ActivitySpanId caseSpan) => _byCase.TryRemove(caseSpan, out var context) ? context : null;
    }

    /// <summary>
    /// Gives an event the context of the span it evaluates. A log record takes the current span's context, and an ended
    /// span cannot be made current again; the record is written synchronously on the emitting thread, so the target is
    /// handed over in a thread-static field and set on the record before the exporter's processor reads it.
    /// </summary>
    private sealed class Reparent : BaseProcessor<LogRecord>
    {
        [ThreadStatic]
        private static ActivityContext? _target;

        public static ActivityContext? Target
        {
            get => _target;
            set => _target = value;
        }

        public override void OnEnd(LogRecord data)
        {
            if (_target is { } target && data.CategoryName == Scope)
            {
                data.TraceId = target.TraceId;
                data.SpanId = target.SpanId;
                data.TraceFlags = target.TraceFlags;
            }
        }
    }
}
