using System.Diagnostics;
using EvalHarness.Agents.Observability;

namespace EvalHarness.Core.Running;

/// <summary>
/// Exports a run's traces over OTLP/HTTP (protobuf) while it runs: one trace per case (the case's span at the root,
/// tagged with suite, variant, scenario, trial and verdict), the agent's steps, tool calls and GenAI model-call spans
/// inside it; and each assertion's verdict as a GenAI <c>gen_ai.evaluation.result</c> event (<see cref="OtlpExport"/>).
/// Opened by <c>--otlp &lt;endpoint&gt;</c> or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
/// </summary>
internal static class OtlpTracing
{
    /// <summary>The standard variable naming an OTLP endpoint, read when no endpoint is given.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>How a case's span's name begins (<c>evaluate &lt;cassette id&gt;</c>).</summary>
    public const string CaseSpanPrefix = "evaluate ";

    /// <summary>
    /// Starts exporting to <paramref name="endpoint"/> (or the variable's); null when neither is set. Dispose to send the
    /// rest. <paramref name="notice"/> hears where the traces go, and that nothing listens there when that is so.
    /// </summary>
    /// <exception cref="TraceExportException">The endpoint is not an http(s) URL.</exception>
    internal static OtlpExport? Start(string? endpoint, Action<string>? notice)
    {
        var fromVariable = endpoint is null;
        endpoint ??= Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        var traces = TracesUrl(endpoint) ?? throw new TraceExportException(
            $"The OTLP endpoint '{endpoint}'{(fromVariable ? $" (from {EndpointVariable})" : string.Empty)} is not an http(s) URL: give the collector's OTLP/HTTP address, e.g. http://localhost:4318.");
        var logs = LogsUrl(traces);
        notice?.Invoke(Listening(traces)
            ? $"Traces: sending each case's trace to {traces}, its assertions' results (gen_ai.evaluation.result events) to {logs}"
            : $"✗ Traces: nothing answers at {traces.GetLeftPart(UriPartial.Authority)}, so the traces will be lost (is the collector running?)");
        return new OtlpExport(traces, logs, RunTracer.Source.Name);
    }

    /// <summary>
    /// The logs URL beside a traces URL: the same base with <c>v1/logs</c>, where the OTLP specification sends log
    /// records (the evaluation events are log records).
    /// </summary>
    public static Uri LogsUrl(Uri traces) => new(traces.AbsoluteUri[..^"traces".Length] + "logs");

    /// <summary>
    /// The traces URL of an endpoint, as the OTLP specification builds it from OTEL_EXPORTER_OTLP_ENDPOINT: the base
    /// (with any path prefix a collector sits behind) plus <c>v1/traces</c>, unless it already ends so. Null for a value
    /// that is not an http(s) URL.
    /// </summary>
    public static Uri? TracesUrl(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        return uri.AbsolutePath.TrimEnd('/').EndsWith("/v1/traces", StringComparison.Ordinal)
            ? uri
            : new Uri(uri.AbsoluteUri.TrimEnd('/') + "/v1/traces");
    }

    /// <summary>Whether something accepts connections at the URL's host and port (within a second).</summary>
    private static bool Listening(Uri url)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            return client.ConnectAsync(url.Host, url.Port).Wait(TimeSpan.FromSeconds(1)) && client.Connected;
        }
        catch (Exception ex) when (ex is AggregateException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts a case's span as the root of a trace of its own, whatever span is current.</summary>
    internal static Activity? StartCase(EvalCase evalCase, string suite)
    {
        if (!RunTracer.Source.HasListeners())
        {
            return null;
        }

        Activity.Current = null; // a trace per case: no parent, even when the caller has a span open
        var activity = RunTracer.Source.StartActivity($"{CaseSpanPrefix}{evalCase.CassetteId}", ActivityKind.Internal);
        activity?.SetTag("evalh.suite", suite);
        activity?.SetTag("evalh.variant", evalCase.Variant.Name);
        activity?.SetTag("evalh.scenario", evalCase.Scenario.Name);
        activity?.SetTag("evalh.trial", evalCase.Trial);
        activity?.SetTag("evalh.cassette_id", evalCase.CassetteId);
        return activity;
    }

    /// <summary>
    /// Ends a case's span with its verdict: pass, fail, or error (the case could not be evaluated); with an
    /// <paramref name="export"/>, each assertion's result goes out as an event first.
    /// </summary>
    internal static void EndCase(Activity? activity, Results.CaseResult result, OtlpExport? export)
    {
        if (activity is null)
        {
            return;
        }

        export?.Evaluated(activity, result);

        var verdict = result.Error is not null ? "error" : result.Passed ? "pass" : "fail";
        activity.SetTag("evalh.verdict", verdict);
        activity.SetTag("evalh.outcome", result.Outcome);
        if (verdict != "pass")
        {
            activity.SetStatus(ActivityStatusCode.Error, result.Error ?? string.Join("; ", result.Verdicts.Where(v => !v.Passed).Select(v => v.Reason)));
        }

        activity.Dispose();
    }
}

/// <summary>An OTLP endpoint that cannot be used: bad input, like a malformed suite.</summary>
public sealed class TraceExportException(string message) : Exception(message);
