using System.Diagnostics;
using System.Globalization;

namespace EvalHarness.Agents.Observability;

/// <summary>
/// Records a run's spans, both as <see cref="TraceSpan"/> values kept with the run result and as
/// <see cref="Activity"/> objects from the <c>EvalHarness.Agents</c> source, so an OpenTelemetry listener
/// sees the same tree.
/// </summary>
public sealed class RunTracer
{
    /// <summary>Whether exported spans may carry contents (tool arguments), as the GenAI conventions' variable says.</summary>
    private static readonly bool CaptureContent = string.Equals(
        Environment.GetEnvironmentVariable("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The activity source every span starts from.</summary>
    public static readonly ActivitySource Source = new("EvalHarness.Agents", "1.0");

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly List<TraceSpan> _spans = [];
    private readonly Lock _lock = new();
    private int _nextId;

    /// <summary>Creates a tracer whose clock starts now.</summary>
    public RunTracer(TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp();
    }

    /// <summary>The finished spans in start order.</summary>
    public IReadOnlyList<TraceSpan> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans.OrderBy(s => s.Id)];
            }
        }
    }

    /// <summary>Starts a span; dispose the scope to end it.</summary>
    public SpanScope Start(string kind, string name, int parentId)
    {
        var id = Interlocked.Increment(ref _nextId);
        var activity = StartActivity(kind, name);
        return new SpanScope(this, id, parentId, kind, name, _time.GetTimestamp(), activity);
    }

    /// <summary>
    /// The span's activity, named as OpenTelemetry's GenAI conventions name agent and tool spans (<c>invoke_agent</c>,
    /// <c>execute_tool</c>); the model call's own <c>chat</c> span comes from Microsoft.Extensions.AI inside it.
    /// </summary>
    private static Activity? StartActivity(string kind, string name)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var (operation, display) = kind switch
        {
            "run" or "agent" => ("invoke_agent", $"invoke_agent {name}"),
            "tool" => ("execute_tool", $"execute_tool {name}"),
            _ => (null, $"{kind} {name}"),
        };
        var activity = Source.StartActivity(display, ActivityKind.Internal);
        activity?.SetTag("evalh.kind", kind);
        if (operation is not null)
        {
            activity?.SetTag("gen_ai.operation.name", operation);
            activity?.SetTag(operation == "execute_tool" ? "gen_ai.tool.name" : "gen_ai.agent.name", name);
        }

        return activity;
    }

    /// <summary>Adds spans recorded elsewhere (a sub-agent's run) under <paramref name="parentId"/>, shifted to this run's clock.</summary>
    public void Adopt(IReadOnlyList<TraceSpan> spans, int parentId, double offsetMs)
    {
        lock (_lock)
        {
            var map = new Dictionary<int, int>();
            foreach (var span in spans.OrderBy(s => s.Id))
            {
                var id = Interlocked.Increment(ref _nextId);
                map[span.Id] = id;
                _spans.Add(span with { Id = id, ParentId = map.GetValueOrDefault(span.ParentId, parentId), StartMs = Math.Round(span.StartMs + offsetMs, 1) });
            }
        }
    }

    /// <summary>Milliseconds since the run started.</summary>
    public double ElapsedMs => _time.GetElapsedTime(_origin).TotalMilliseconds;

    private void End(SpanScope scope, long start)
    {
        var span = new TraceSpan(
            scope.Id,
            scope.ParentId,
            scope.Kind,
            scope.Name,
            Math.Round(_time.GetElapsedTime(_origin, start).TotalMilliseconds, 1),
            Math.Round(_time.GetElapsedTime(start).TotalMilliseconds, 1),
            scope.Status,
            new SortedDictionary<string, string>(scope.Tags, StringComparer.Ordinal));
        lock (_lock)
        {
            _spans.Add(span);
        }
    }

    /// <summary>An open span. Set tags and status while it runs; dispose to end it.</summary>
    public sealed class SpanScope : IDisposable
    {
        private readonly RunTracer _tracer;
        private readonly long _start;
        private readonly Activity? _activity;
        private bool _ended;

        internal SpanScope(RunTracer tracer, int id, int parentId, string kind, string name, long start, Activity? activity)
        {
            _tracer = tracer;
            Id = id;
            ParentId = parentId;
            Kind = kind;
            Name = name;
            _start = start;
            _activity = activity;
        }

        /// <summary>The span's id, the parent of spans started inside it.</summary>
        public int Id { get; }

        internal int ParentId { get; }

        internal string Kind { get; }

        internal string Name { get; }

        internal string Status { get; private set; } = "ok";

        internal Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

        /// <summary>Sets a tag.</summary>
        public SpanScope Tag(string key, object? value)
        {
            var text = value is bool b ? (b ? "true" : "false") : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            lock (Tags)
            {
                Tags[key] = text;
            }

            if (_activity is not null && ActivityKey(key) is { } exported)
            {
                _activity.SetTag(exported, text);
            }

            return this;
        }

        /// <summary>
        /// A tag's name on the exported span: ours under <c>evalh.</c> (conventions' names such as <c>gen_ai.*</c> as
        /// they are); a tool call's arguments only when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT asks for
        /// contents, as Microsoft.Extensions.AI treats messages, since they may hold personal data.
        /// </summary>
        private static string? ActivityKey(string key) =>
            key.Contains('.', StringComparison.Ordinal) ? key
            : key == "arguments" ? (CaptureContent ? "gen_ai.tool.call.arguments" : null)
            : key == "call_id" ? "gen_ai.tool.call.id"
            : $"evalh.{key}";

        /// <summary>Marks the span as failed.</summary>
        public void Fail(string status)
        {
            Status = status;
            _activity?.SetStatus(ActivityStatusCode.Error, status);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            _activity?.Dispose();
            _tracer.End(this, _start);
        }
    }
}
