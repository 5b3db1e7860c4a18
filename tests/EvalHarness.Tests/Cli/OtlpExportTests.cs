using System.Collections.Concurrent;
using System.Text;
using EvalHarness.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// <c>--otlp</c>: a run's traces reach an OTLP/HTTP receiver (one started by the test on 127.0.0.1, answering as a
/// collector does), with the GenAI conventions' attributes on model calls and the case's verdict on its root span.
/// </summary>
public sealed class OtlpExportTests : CliTest
{
    [Fact]
    public async Task Run_WithOtlp_SendsGenAiSpansAndTheCasesVerdictToTheReceiver()
    {
        var exports = new ConcurrentQueue<(string ContentType, byte[] Body)>();
        var (app, receiver) = await LoopbackHostAccess.StartAsync(web => web.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, Ct);
            exports.Enqueue((context.Request.ContentType ?? string.Empty, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf"; // an empty ExportTraceServiceResponse: all accepted
        }), Ct);
        await using var _ = app;

        var exit = await Evalh(["run", Path.Combine(RepoPaths.Suites, "support.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"),
             "--filter", "order-status", "--variant", "default", "--otlp", receiver.ToString()]);

        Assert.True(exit == 0, $"exit {exit}\n{Out}\n{Error}");
        Assert.NotEmpty(exports);
        Assert.All(exports, e => Assert.Equal("application/x-protobuf", e.ContentType));
        // Protobuf keeps attribute keys and string values as UTF-8 bytes: they can be found without a decoder.
        var sent = string.Concat(exports.Select(e => Encoding.UTF8.GetString(e.Body)));
        foreach (var expected in (string[])["gen_ai.operation.name", "gen_ai.request.model", "gpt-4o-mini", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
                     "execute_tool lookup_order", "invoke_agent", "evaluate support/default/order-status/t1", "evalh.verdict", "pass", "evalh.scenario", "order-status", "service.name", "evalh"])
        {
            Assert.True(sent.Contains(expected, StringComparison.Ordinal), string.Join(" | ", System.Text.RegularExpressions.Regex.Matches(sent, "[ -~]{4,}").Select(m => m.Value)));
        }

        // Contents stay home unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT asks: no tool arguments, no bare names.
        Assert.DoesNotContain("{\"order_id\":\"A101\"}", sent, StringComparison.Ordinal);
        Assert.Contains("evalh.run_id", sent, StringComparison.Ordinal);
        Assert.Contains("gen_ai.tool.call.id", sent, StringComparison.Ordinal);
        Assert.Contains($"Traces: sending each case's trace to {receiver}v1/traces", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithOtlp_SendsAnEvaluationResultEventPerAssertion_ParentedToTheCasesInvokeAgentSpan()
    {
        var (traces, logs) = (new ConcurrentQueue<byte[]>(), new ConcurrentQueue<byte[]>());
        var (app, receiver) = await LoopbackHostAccess.StartAsync(web =>
        {
            web.MapPost("/v1/traces", async (HttpContext context) => traces.Enqueue(await BodyAsync(context)));
            web.MapPost("/v1/logs", async (HttpContext context) => logs.Enqueue(await BodyAsync(context)));
        }, Ct);
        await using var _ = app;

        // codefix's hasty variant fails assertions; support's refund-broken-item has a judge, whose score is its own.
        var reports = Temp.Combine("reports");
        Assert.Equal(1, await Evalh(["run", Path.Combine(RepoPaths.Suites, "codefix.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", reports, "--otlp", receiver.ToString()]));
        Assert.Equal(0, await Evalh(["run", Path.Combine(RepoPaths.Suites, "support.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", reports,
            "--filter", "refund-broken-item", "--variant", "default", "--otlp", receiver.ToString()]));

        // The tracer listens to the harness's activity source in this whole process, where other tests may run suites
        // at the same time: only the traces these runs' events name are theirs.
        var events = logs.SelectMany(OtlpWire.Logs).ToList();
        var ours = events.Select(e => e.TraceId).ToHashSet();
        var spans = traces.SelectMany(OtlpWire.Spans).Where(s => ours.Contains(s.TraceId)).ToList();
        Assert.All(events, e => Assert.Equal("gen_ai.evaluation.result", e.EventName));
        var cases = new List<EvalHarness.Core.Results.CaseResult>();
        foreach (var results in Directory.GetFiles(Path.Combine(reports, "runs"), "results.json", SearchOption.AllDirectories))
        {
            cases.AddRange((await EvalHarness.Reports.Json.ResultsJson.ReadAsync(results, Ct)).Cases);
        }

        Assert.Equal(9, cases.Count);
        Assert.Equal(cases.Sum(c => c.Verdicts.Count), events.Count);
        foreach (var result in cases)
        {
            // The case's span is its trace's root; the events are on the agent run it judges, the invoke_agent span under it.
            var root = Assert.Single(spans, s => s.Name == $"evaluate {result.CassetteId}");
            Assert.Equal(string.Empty, root.ParentSpanId.Trim('0'));
            Assert.Equal(result.Passed ? "pass" : "fail", root.Attributes["evalh.verdict"]);
            var agent = Assert.Single(spans, s => s.ParentSpanId == root.SpanId && s.Attributes.GetValueOrDefault("gen_ai.operation.name") is "invoke_agent");
            var sent = events.Where(e => e.TraceId == root.TraceId).ToList();
            Assert.All(sent, e => Assert.Equal(agent.SpanId, e.SpanId));
            Assert.Equal(
                result.Verdicts.Select(v => (v.Kind, v.Passed ? "pass" : "fail", v.Score ?? (v.Passed ? 1.0 : 0.0), v.Reason)),
                sent.Select(e => ((string)e.Attributes["gen_ai.evaluation.name"], (string)e.Attributes["gen_ai.evaluation.score.label"],
                    (double)e.Attributes["gen_ai.evaluation.score.value"], (string)e.Attributes["gen_ai.evaluation.explanation"])));
        }

        // A failing assertion's event explains why; the judge's carries its score and its reason.
        Assert.Contains(events, e => e.Attributes["gen_ai.evaluation.score.label"] is "fail" && ((string)e.Attributes["gen_ai.evaluation.explanation"]).Length > 0);
        var judged = Assert.Single(events, e => e.Attributes["gen_ai.evaluation.name"] is "judge");
        var judge = cases.SelectMany(c => c.Verdicts).Single(v => v.Kind == "judge");
        Assert.NotNull(judge.Score);
        Assert.Equal(judge.Score, (double)judged.Attributes["gen_ai.evaluation.score.value"]);
        Assert.StartsWith("Scored ", (string)judged.Attributes["gen_ai.evaluation.explanation"], StringComparison.Ordinal);
        Assert.Contains($"assertions' results (gen_ai.evaluation.result events) to {receiver}v1/logs", Out.ToString(), StringComparison.Ordinal);
    }

    private static async Task<byte[]> BodyAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, Ct);
        context.Response.ContentType = "application/x-protobuf"; // an empty export response: all accepted
        return body.ToArray();
    }

    [Fact]
    public async Task Run_WithOtlpWhereNothingListens_SaysTheTracesWillBeLost_AndStillRuns()
    {
        var exit = await Evalh(["run", Path.Combine(RepoPaths.Suites, "support.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"),
             "--filter", "order-status", "--variant", "default", "--otlp", "http://127.0.0.1:1"]);

        Assert.Equal(0, exit);
        Assert.Contains("✗ Traces: nothing answers at http://127.0.0.1:1, so the traces will be lost", Out.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:4318", "http://localhost:4318/v1/traces")]
    [InlineData("http://localhost:4318/", "http://localhost:4318/v1/traces")]
    [InlineData("https://otel.example.com/collector", "https://otel.example.com/collector/v1/traces")]
    [InlineData("http://localhost:4318/v1/traces", "http://localhost:4318/v1/traces")]
    [InlineData("localhost:4318", null)]
    [InlineData("ftp://localhost", null)]
    public void TracesUrl_IsTheBasePlusV1Traces_AsTheOtlpSpecificationBuildsIt(string endpoint, string? expected)
    {
        var traces = EvalHarness.Core.Running.OtlpTracing.TracesUrl(endpoint);
        Assert.Equal(expected, traces?.ToString());
        if (traces is not null)
        {
            Assert.Equal(expected![..^"traces".Length] + "logs", EvalHarness.Core.Running.OtlpTracing.LogsUrl(traces).ToString());
        }
    }

    [Fact]
    public async Task Run_WithAnOtlpEndpointThatIsNotAUrl_IsABadInput()
    {
        var exit = await Evalh(["run", Path.Combine(RepoPaths.Suites, "support.yaml"), "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--filter", "order-status", "--otlp", "localhost:4318"]);

        Assert.Equal(2, exit);
        Assert.Contains("The OTLP endpoint 'localhost:4318' is not an http(s) URL", Error.ToString(), StringComparison.Ordinal);
    }
}
