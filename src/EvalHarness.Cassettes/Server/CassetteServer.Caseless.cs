using System.Collections.Concurrent;
using EvalHarness.Cassettes.Protocols;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>
/// The case-less address a served agent's model and tools are pointed at: a request is given its case by its trace
/// context (<see cref="CaseTrace"/>) and then handled as if it had come to <c>/c/&lt;cassette-id&gt;/…</c>.
/// </summary>
public sealed partial class CassetteServer
{
    /// <summary>The cases in flight by their trace id (<see cref="RouteTrace"/>).</summary>
    private readonly ConcurrentDictionary<string, string> _traces = new(StringComparer.Ordinal);

    /// <summary>Why each case-less request that named no case was refused, in order.</summary>
    private readonly List<string> _caselessMisses = [];

    /// <summary>
    /// Any URL outside <c>/c/…</c> and the reset endpoint: the case-less address a served agent's model and tools are
    /// pointed at. A request whose trace context names a case (<see cref="CaseTrace"/>) is that case's, as if it had come to
    /// <c>/c/&lt;cassette-id&gt;/…</c>; a provider's or a tool server's path that names none is refused and kept for the
    /// cases in flight to report (<see cref="CaselessMissesSince"/>); anything else is most often a base URL that lacks
    /// <c>/c/&lt;cassette-id&gt;</c>.
    /// </summary>
    private async Task HandleCaselessAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (CaseTrace.Find(context.Request.Headers, _traces.GetValueOrDefault) is { } found)
        {
            context.Request.RouteValues[CassetteRoute.Rest] = found.CassetteId + path;
            await HandleSafelyAsync(context);
            return;
        }

        var arrived = _options.Time.GetUtcNow();
        var started = _options.Time.GetTimestamp();
        var request = context.Request;
        var rest = "case" + path;
        var message = $"'{(path.Length > 120 ? path[..120] + "…" : path)}' is not a cassette URL: point the client's base URL at "
            + $"{BaseAddress}c/<cassette-id>/ (for an OpenAI client {BaseAddress}c/<cassette-id>/v1, for example {BaseAddress}c/my-suite/default/my-case/t1/v1).";
        var isModelCall = WireProtocols.TryRoute(rest, marker => request.Headers.ContainsKey(marker) || request.Query.ContainsKey(marker), out _, out _, out var protocol);
        if (isModelCall || Tools.ToolRoute.TryRead(rest, _options.ToolServers, out _))
        {
            // A provider's or a tool server's call: a client of one's own without its case, or a served agent's that names none.
            ErrorAnswer.UseProtocol(context, protocol);
            message += " " + CaseTrace.Unrouted(request.Headers[CaseTrace.TraceParentHeader]);
            lock (_caselessMisses)
            {
                _caselessMisses.Add(message);
            }
        }

        await ErrorAnswer.WriteAsync(context, StatusCodes.Status404NotFound, message, ErrorAnswer.RejectedType);
        Log(context, arrived, started, null, 0, RequestOutcome.Rejected, message);
    }

    /// <summary>
    /// Routes case-less requests whose <c>traceparent</c> carries <paramref name="cassetteId"/>'s trace id
    /// (<see cref="CaseTrace.TraceIdFor"/>) to that cassette while the registration lives: the case is in flight.
    /// </summary>
    public IDisposable RouteTrace(string cassetteId)
    {
        var traceId = CaseTrace.TraceIdFor(cassetteId);
        _traces[traceId] = cassetteId;
        return new TraceRegistration(() => _traces.TryRemove(new KeyValuePair<string, string>(traceId, cassetteId)));
    }

    /// <summary>How many case-less requests named no case so far: a mark for <see cref="CaselessMissesSince"/>.</summary>
    public int CaselessMissCount
    {
        get
        {
            lock (_caselessMisses)
            {
                return _caselessMisses.Count;
            }
        }
    }

    /// <summary>What became of the case-less requests that named no case since <paramref name="mark"/> (<see cref="CaselessMissCount"/>).</summary>
    public IReadOnlyList<string> CaselessMissesSince(int mark)
    {
        lock (_caselessMisses)
        {
            return [.. _caselessMisses.Skip(mark)];
        }
    }

    private sealed class TraceRegistration(Action remove) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                remove();
            }
        }
    }
}
