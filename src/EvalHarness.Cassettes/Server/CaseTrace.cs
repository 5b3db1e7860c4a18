using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>
/// How a served agent's model calls find their case. A service is started once and has one base URL for its model, with
/// no case in its path; each request the harness sends it carries W3C trace context naming the case, which the service
/// passes on to its own outgoing calls (.NET does by default, Node and Python with OpenTelemetry's HTTP instrumentation),
/// and the cassette server routes a case-less call by it: the trace id of its <c>traceparent</c>, else the
/// <c>evalh.case_id</c> entry of its <c>baggage</c>, else its <c>x-evalh-case-id</c> header.
/// </summary>
public static class CaseTrace
{
    /// <summary>The W3C Trace Context header.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The W3C Baggage header.</summary>
    public const string BaggageHeader = "baggage";

    /// <summary>The baggage entry that names the case's cassette id.</summary>
    public const string BaggageKey = "evalh.case_id";

    /// <summary>The harness's own header naming the case's cassette id, for a service that forwards headers by name.</summary>
    public const string CaseHeader = "x-evalh-case-id";

    /// <summary>
    /// The trace id of a case: the same for every request of the case (a conversation is one trace), derived from its
    /// cassette id so a re-run sends the same one.
    /// </summary>
    public static string TraceIdFor(string cassetteId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"evalh-case:{cassetteId}")).AsSpan(0, 16));

    /// <summary>
    /// A <c>traceparent</c> for one request of a case (<paramref name="request"/> counts its requests from 1): the case's
    /// trace id, a span id of its own, sampled.
    /// </summary>
    public static string TraceParentFor(string cassetteId, int request)
    {
        var span = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"evalh-request:{cassetteId}:{request}")).AsSpan(0, 8));
        return $"00-{TraceIdFor(cassetteId)}-{span}-01";
    }

    /// <summary>The <c>baggage</c> header value naming the case.</summary>
    public static string BaggageFor(string cassetteId) => $"{BaggageKey}={Uri.EscapeDataString(cassetteId)}";

    /// <summary>The trace id of a <c>traceparent</c> value (<c>00-&lt;32 hex&gt;-&lt;16 hex&gt;-&lt;2 hex&gt;</c>), lower-case; null when it is not one.</summary>
    public static string? TraceIdOf(string? traceParent)
    {
        var parts = traceParent?.Trim().Split('-');
        return parts is [{ Length: 2 }, { Length: 32 } traceId, { Length: 16 }, { Length: 2 }, ..] && traceId.All(char.IsAsciiHexDigit) && traceId.Any(c => c != '0')
            ? traceId.ToLowerInvariant()
            : null;
    }

    /// <summary>The case a <c>baggage</c> header names (its <c>evalh.case_id</c> entry, percent-decoded); null when none.</summary>
    public static string? CaseInBaggage(string? baggage)
    {
        foreach (var member in (baggage ?? string.Empty).Split(','))
        {
            var entry = member.Split(';')[0];
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && entry[..equals].Trim() == BaggageKey)
            {
                return Uri.UnescapeDataString(entry[(equals + 1)..].Trim()) is { Length: > 0 } id ? id : null;
            }
        }

        return null;
    }

    /// <summary>
    /// The case a case-less request is for, and how it was found: by its trace id (through <paramref name="caseOfTrace"/>,
    /// the cases in flight), its baggage or its header. Null when its headers name none.
    /// </summary>
    internal static (string CassetteId, string Via)? Find(IHeaderDictionary headers, Func<string, string?> caseOfTrace)
    {
        if (TraceIdOf(headers[TraceParentHeader]) is { } traceId && caseOfTrace(traceId) is { } traced)
        {
            return (traced, $"its traceparent's trace id {traceId}");
        }

        if (CaseInBaggage(string.Join(',', headers[BaggageHeader].ToArray())) is { } inBaggage)
        {
            return (inBaggage, $"its baggage entry {BaggageKey}");
        }

        return headers[CaseHeader].ToString() is { Length: > 0 } named ? (named, $"its {CaseHeader} header") : null;
    }

    /// <summary>What to do about a call that reached the case-less address and named no case (after what a client of one's own should do).</summary>
    internal static string Unrouted(string? traceParent) =>
        "As a served agent's call to the case-less address, it names no case: it came with "
        + (traceParent is { Length: > 0 } ? $"a traceparent ({traceParent}) that is no case's in flight" : "no traceparent")
        + $", no '{BaggageKey}' baggage and no {CaseHeader} header, so it was not answered. "
        + "The served agent must pass on the trace context of the request it is handling to its model and tool calls: "
        + "an ASP.NET Core service does so by default (HttpClient sends traceparent and baggage of the request's Activity; do not "
        + "turn off its DiagnosticsHandler or call the model outside the request's ExecutionContext); a Node or Python service "
        + "needs OpenTelemetry's HTTP instrumentation with the W3C trace context and baggage propagators; or copy the "
        + $"{CaseHeader} header of the request onto its model calls (docs/served-agents.md).";
}
