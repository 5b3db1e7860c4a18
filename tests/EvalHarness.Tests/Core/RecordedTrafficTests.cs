using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Core.UnderTest;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

public sealed class RecordedTrafficTests
{
    private const string Chat = "/v1/chat/completions";
    private const string Messages = "/v1/messages";
    private const string Responses = "/v1/responses";

    private static readonly Dictionary<string, string> NoHeaders = [];

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static Interaction Exchange(string path, string request, string response, double totalMs = 100, int status = 200, string? fault = null) =>
        new(new RecordedRequest("POST", path, NoHeaders, Json(request)), new RecordedResponse(status, NoHeaders, Json(response), Fault: fault), new InteractionTimings(totalMs / 4, totalMs));

    private static Interaction Streamed(string path, string request, params string[] events) =>
        new(
            new RecordedRequest("POST", path, NoHeaders, Json(request)),
            new RecordedResponse(200, NoHeaders, Events: [.. events.Select((data, i) => new SseEvent(i * 10, Json(data)))]),
            new InteractionTimings(10, events.Length * 10));

    private static string Lines(params string[] lines) => string.Join(Environment.NewLine, lines);

    /// <summary>The cost of the tokens at pricing.json's per-million prices, worked out here rather than by the pricing table.</summary>
    private static decimal Priced(string model, long input, long output)
    {
        using var pricing = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "EvalHarness.Core", "Pricing", "pricing.json")));
        var price = pricing.RootElement.GetProperty("models").GetProperty(model);
        return ((input * price.GetProperty("input").GetDecimal()) + (output * price.GetProperty("output").GetDecimal())) / 1_000_000m;
    }

    /// <summary>An OpenAI chat loop: lookup, then refund, then the answer.</summary>
    private static RecordedTraffic TwoStepLoop() => RecordedTraffic.Analyse(
    [
        Exchange(Chat, """
            {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Refund A1"}]}
            """, """
            {"model":"gpt-4o-mini-2024-07-18","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A1\"}"}}]}}],"usage":{"prompt_tokens":120,"completion_tokens":15}}
            """, totalMs: 400),
        Exchange(Chat, """
            {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Refund A1"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A1\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"{\"id\":\"A1\",\"status\":\"delivered\"}"}]}
            """, """
            {"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_2","type":"function","function":{"name":"refund_order","arguments":"{\"order_id\":\"A1\"}"}}]}}],"usage":{"prompt_tokens":160,"completion_tokens":12}}
            """, totalMs: 300),
        Exchange(Chat, """
            {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Refund A1"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"A1\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"{\"id\":\"A1\",\"status\":\"delivered\"}"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_2","type":"function","function":{"name":"refund_order","arguments":"{\"order_id\":\"A1\"}"}}]},
              {"role":"tool","tool_call_id":"call_2","content":"{\"refunded\":true}"}]}
            """, """
            {"choices":[{"message":{"role":"assistant","content":"Refunded A1."}}],"usage":{"prompt_tokens":200,"completion_tokens":8}}
            """, totalMs: 200),
    ], "python3 agent.py");

    [Fact]
    public void Analyse_OpenAIToolLoop_MatchesResultsToCallsByIdWithTheirSteps()
    {
        var traffic = TwoStepLoop();

        Assert.Equal(
            [
                new ToolCallResult(1, "lookup_order", """{"order_id":"A1"}""", """{"id":"A1","status":"delivered"}""", false, "ok"),
                new ToolCallResult(2, "refund_order", """{"order_id":"A1"}""", """{"refunded":true}""", false, "ok"),
            ],
            traffic.ToolCalls);
        Assert.Equal((3, 3, "Refunded A1."), (traffic.Steps, traffic.ModelCalls, traffic.LastText));
    }

    [Fact]
    public void Analyse_OpenAIToolLoop_SumsTokensAndPricesThem()
    {
        var traffic = TwoStepLoop();

        Assert.Equal((480L, 35L), (traffic.InputTokens, traffic.OutputTokens));
        Assert.Equal(Priced("openai:gpt-4o-mini", 480, 35), traffic.CostUsd);
    }

    [Fact]
    public void Analyse_OpenAIToolLoop_TranscriptIsTheLastRequestAndTheLastAnswer()
    {
        var transcript = TwoStepLoop().Transcript;

        Assert.Equal(
            [
                new TranscriptEntry("system", "Be brief."),
                new TranscriptEntry("user", "Refund A1"),
                new TranscriptEntry("assistant", """→ lookup_order({"order_id":"A1"})"""),
                new TranscriptEntry("tool", """← {"id":"A1","status":"delivered"}"""),
                new TranscriptEntry("assistant", """→ refund_order({"order_id":"A1"})"""),
                new TranscriptEntry("tool", """← {"refunded":true}"""),
                new TranscriptEntry("assistant", "Refunded A1."),
            ],
            transcript);
    }

    [Fact]
    public void Analyse_OpenAIToolLoop_SpansFollowRecordedTime()
    {
        var spans = TwoStepLoop().Trace;

        Assert.Equal(
            [
                (1, 0, "run", "python3 agent.py", 0.0, 900.0, "ok"),
                (2, 1, "model", "gpt-4o-mini", 0.0, 400.0, "ok"),
                (3, 1, "tool", "lookup_order", 400.0, 0.0, "ok"),
                (4, 1, "model", "gpt-4o-mini", 400.0, 300.0, "ok"),
                (5, 1, "tool", "refund_order", 700.0, 0.0, "ok"),
                (6, 1, "model", "gpt-4o-mini", 700.0, 200.0, "ok"),
            ],
            spans.Select(s => (s.Id, s.ParentId, s.Kind, s.Name, s.StartMs, s.DurationMs, s.Status)));
        Assert.Equal(("120", "15"), (spans[1].Tags["input_tokens"], spans[1].Tags["output_tokens"]));
        Assert.Equal("3", spans[0].Tags["model_calls"]);
    }

    /// <summary>One call to lookup_order, answered with <paramref name="result"/> in a second request.</summary>
    private static RecordedTraffic LookupAnswered(string result) => RecordedTraffic.Analyse(
        [
            Exchange(Chat, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Where is Z9?"}]}""", """
                {"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"call_1","function":{"name":"lookup_order","arguments":"{}"}}]}}],"usage":{"prompt_tokens":1,"completion_tokens":1}}
                """),
            Exchange(
                Chat,
                """
                {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Where is Z9?"},
                  {"role":"assistant","tool_calls":[{"id":"call_1","function":{"name":"lookup_order","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":
                """ + JsonSerializer.Serialize(result) + "}]}",
                """{"choices":[{"message":{"role":"assistant","content":"Sorry."}}]}"""),
        ], "agent");

    [Theory]
    [InlineData("""{"error":"no order Z9"}""", true)]
    [InlineData("""{"error":{"code":404}}""", true)]
    [InlineData("""{"error":null,"status":"open"}""", false)]
    [InlineData("""{"error":false}""", false)]
    [InlineData("""{"status":"error"}""", false)]
    [InlineData("error: no order Z9", false)]
    [InlineData("""{"error": unterminated""", false)]
    public void Analyse_ResultObjectWithAnErrorKey_IsAnError(string result, bool isError)
    {
        var traffic = LookupAnswered(result);

        var call = Assert.Single(traffic.ToolCalls);
        var status = isError ? "error" : "ok";
        Assert.Equal((result, isError, status), (call.Result, call.IsError, call.Status));
        Assert.Equal(status, traffic.Trace.Single(s => s.Kind == "tool").Status);
    }

    [Fact]
    public void Analyse_CallWhoseResultNeverCameBack_IsNoResult()
    {
        var traffic = RecordedTraffic.Analyse(
        [
            Exchange(Chat, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Refund A1"}]}""", """
                {"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"call_1","function":{"name":"refund_order","arguments":"{\"order_id\":\"A1\"}"}}]}}]}
                """),
        ], "agent");

        Assert.Equal(new ToolCallResult(1, "refund_order", """{"order_id":"A1"}""", string.Empty, false, "no_result"), Assert.Single(traffic.ToolCalls));
        Assert.Equal("no_result", traffic.Trace.Single(s => s.Kind == "tool").Status);
        Assert.Equal(new TranscriptEntry("assistant", """→ refund_order({"order_id":"A1"})"""), traffic.Transcript[^1]);
    }

    [Fact]
    public void Analyse_OpenAIStream_JoinsToolArgumentsSentInPieces()
    {
        const string Request = """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Refund A1 and B2"}]}""";
        var traffic = RecordedTraffic.Analyse(
        [
            Streamed(
                Chat,
                Request,
                """{"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"refund_order","arguments":""}}]}}],"usage":null}""",
                """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"order"}}]}}],"usage":null}""",
                """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"refund_order","arguments":"{\"order_id\":"}}]}}],"usage":null}""",
                """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"_id\":\"A1\"}"}}]}}],"usage":null}""",
                """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"B2\"}"}}]}}],"usage":null}""",
                """{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":null}""",
                """{"choices":[],"usage":{"prompt_tokens":90,"completion_tokens":22}}""",
                "\"[DONE]\""),
        ], "agent");

        Assert.Equal(
            [(1, "refund_order", """{"order_id":"A1"}"""), (1, "refund_order", """{"order_id":"B2"}""")],
            traffic.ToolCalls.Select(c => (c.Step, c.Tool, c.Arguments)));
        Assert.Equal((1, 90L, 22L), (traffic.Steps, traffic.InputTokens, traffic.OutputTokens));
    }

    [Fact]
    public void Analyse_OpenAIStream_JoinsTheAnswerText()
    {
        var traffic = RecordedTraffic.Analyse(
        [
            Streamed(
                Chat,
                """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hi"}]}""",
                """{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""",
                """{"choices":[{"index":0,"delta":{"content":"Hello, "}}]}""",
                """{"choices":[{"index":0,"delta":{"content":"how can I help?"}}]}""",
                """{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}"""),
        ], "agent");

        Assert.Equal("Hello, how can I help?", traffic.LastText);
        Assert.Equal(new TranscriptEntry("assistant", "Hello, how can I help?"), traffic.Transcript[^1]);
    }

    [Fact]
    public void Analyse_AnthropicExchange_ReadsToolUseAndIsErrorResults()
    {
        var traffic = RecordedTraffic.Analyse(
        [
            Exchange(Messages, """
                {"model":"claude-haiku-4-5","system":"Be brief.","max_tokens":1024,"messages":[{"role":"user","content":"Refund Z9"}]}
                """, """
                {"type":"message","role":"assistant","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_1","name":"lookup_order","input":{"order_id":"Z9"}}],"usage":{"input_tokens":300,"output_tokens":40}}
                """),
            Exchange(Messages, """
                {"model":"claude-haiku-4-5","system":"Be brief.","max_tokens":1024,"messages":[{"role":"user","content":"Refund Z9"},
                  {"role":"assistant","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_1","name":"lookup_order","input":{"order_id":"Z9"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"no order Z9","is_error":true}]}]}
                """, """
                {"type":"message","role":"assistant","content":[{"type":"text","text":"There is no order Z9."}],"usage":{"input_tokens":360,"output_tokens":12}}
                """),
        ], "agent");

        Assert.Equal(new ToolCallResult(1, "lookup_order", """{"order_id":"Z9"}""", "no order Z9", true, "error"), Assert.Single(traffic.ToolCalls));
        Assert.Equal((2, 660L, 52L), (traffic.Steps, traffic.InputTokens, traffic.OutputTokens));
        Assert.Equal(Priced("anthropic:claude-haiku-4-5", 660, 52), traffic.CostUsd);
        Assert.Equal(
            [
                new TranscriptEntry("system", "Be brief."),
                new TranscriptEntry("user", "Refund Z9"),
                new TranscriptEntry("assistant", Lines("Let me look.", """→ lookup_order({"order_id":"Z9"})""")),
                new TranscriptEntry("user", "← no order Z9"),
                new TranscriptEntry("assistant", "There is no order Z9."),
            ],
            traffic.Transcript);
    }

    [Fact]
    public void Analyse_AnthropicStream_ReassemblesTextToolInputAndUsage()
    {
        var traffic = RecordedTraffic.Analyse(
        [
            Streamed(
                Messages,
                """{"model":"claude-haiku-4-5","stream":true,"max_tokens":1024,"messages":[{"role":"user","content":"Refund A1"}]}""",
                """{"type":"message_start","message":{"id":"msg_1","model":"claude-haiku-4-5","content":[],"usage":{"input_tokens":250,"output_tokens":1}}}""",
                """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
                """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking "}}""",
                """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"A1."}}""",
                """{"type":"content_block_stop","index":0}""",
                """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"lookup_order","input":{}}}""",
                """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}""",
                """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"order_id\": "}}""",
                """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"A1\"}"}}""",
                """{"type":"content_block_stop","index":1}""",
                """{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":35}}""",
                """{"type":"message_stop"}"""),
        ], "agent");

        Assert.Equal(new ToolCallResult(1, "lookup_order", """{"order_id":"A1"}""", string.Empty, false, "no_result"), Assert.Single(traffic.ToolCalls));
        Assert.Equal(("Checking A1.", 1, 250L, 35L), (traffic.LastText, traffic.Steps, traffic.InputTokens, traffic.OutputTokens));
        Assert.Equal(Priced("anthropic:claude-haiku-4-5", 250, 35), traffic.CostUsd);
    }

    [Fact]
    public void Analyse_AnthropicBetaPathWithQuery_IsStillAnthropic()
    {
        // The Anthropic SDKs' beta client posts to /v1/messages?beta=true, and the cassette keeps the query.
        var traffic = RecordedTraffic.Analyse(
        [
            Exchange(Messages + "?beta=true", """{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"Refund A1"}]}""", """
                {"type":"message","content":[{"type":"tool_use","id":"toolu_1","name":"refund_order","input":{"order_id":"A1"}}],"usage":{"input_tokens":20,"output_tokens":10}}
                """),
        ], "agent");

        Assert.Equal("refund_order", Assert.Single(traffic.ToolCalls).Tool);
        Assert.Equal(Priced("anthropic:claude-haiku-4-5", 20, 10), traffic.CostUsd);
    }

    [Fact]
    public void Analyse_ResponsesApi_ReadsFunctionCallsOutputsAndTheStreamedCompletion()
    {
        var traffic = RecordedTraffic.Analyse(
        [
            Exchange(Responses, """{"model":"gpt-4o-mini","instructions":"Be brief.","input":"Refund A1"}""", """
                {"object":"response","output":[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"refund_order","arguments":"{\"order_id\":\"A1\"}"}],"usage":{"input_tokens":80,"output_tokens":18}}
                """),
            Streamed(
                Responses,
                """
                {"model":"gpt-4o-mini","instructions":"Be brief.","stream":true,"input":[{"role":"user","content":"Refund A1"},
                  {"type":"function_call","call_id":"call_1","name":"refund_order","arguments":"{\"order_id\":\"A1\"}"},
                  {"type":"function_call_output","call_id":"call_1","output":"{\"refunded\":true}"}]}
                """,
                """{"type":"response.created","response":{"status":"in_progress","output":[]}}""",
                """{"type":"response.output_text.delta","delta":"Refunded"}""",
                """{"type":"response.completed","response":{"output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Refunded A1."}]}],"usage":{"input_tokens":120,"output_tokens":6}}}"""),
        ], "agent");

        Assert.Equal(new ToolCallResult(1, "refund_order", """{"order_id":"A1"}""", """{"refunded":true}""", false, "ok"), Assert.Single(traffic.ToolCalls));
        Assert.Equal((2, 200L, 24L, "Refunded A1."), (traffic.Steps, traffic.InputTokens, traffic.OutputTokens, traffic.LastText));
        Assert.Equal(
            [
                new TranscriptEntry("system", "Be brief."),
                new TranscriptEntry("user", "Refund A1"),
                new TranscriptEntry("assistant", """→ refund_order({"order_id":"A1"})"""),
                new TranscriptEntry("tool", """← {"refunded":true}"""),
                new TranscriptEntry("assistant", "Refunded A1."),
            ],
            traffic.Transcript);
    }

    [Theory]
    [InlineData(429, null, "HTTP 429")]
    [InlineData(503, null, "HTTP 503")]
    [InlineData(0, "timeout", "timeout")]
    [InlineData(200, "truncated", "truncated")]
    public void Analyse_FailedCallThenSuccess_CountsBothCallsButOneStep(int status, string? fault, string spanStatus)
    {
        const string Request = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";
        var traffic = RecordedTraffic.Analyse(
        [
            Exchange(Chat, Request, """{"error":{"message":"Rate limit reached","type":"requests"}}""", totalMs: 50, status: status, fault: fault),
            Exchange(Chat, Request, """{"choices":[{"message":{"role":"assistant","content":"Hello."}}],"usage":{"prompt_tokens":10,"completion_tokens":3}}""", totalMs: 150),
        ], "agent");

        Assert.Equal((2, 1, 10L, 3L, "Hello."), (traffic.ModelCalls, traffic.Steps, traffic.InputTokens, traffic.OutputTokens, traffic.LastText));
        Assert.Equal(
            [("model", 0.0, spanStatus), ("model", 50.0, "ok")],
            traffic.Trace.Where(s => s.Kind == "model").Select(s => (s.Kind, s.StartMs, s.Status)));
        Assert.Equal(Priced("openai:gpt-4o-mini", 10, 3), traffic.CostUsd);
    }

    [Fact]
    public void Analyse_LastCallFailed_TranscriptDoesNotRepeatAnEarlierAnswer()
    {
        var traffic = RecordedTraffic.Analyse(
        [
            Exchange(Chat, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Refund A1"}]}""", """
                {"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"call_1","function":{"name":"refund_order","arguments":"{}"}}]}}]}
                """),
            Exchange(Chat, """
                {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Refund A1"},
                  {"role":"assistant","tool_calls":[{"id":"call_1","function":{"name":"refund_order","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"done"}]}
                """, """{"error":{"message":"overloaded"}}""", status: 503),
        ], "agent");

        Assert.Equal(
            [
                new TranscriptEntry("user", "Refund A1"),
                new TranscriptEntry("assistant", "→ refund_order({})"),
                new TranscriptEntry("tool", "← done"),
            ],
            traffic.Transcript);
    }

    [Fact]
    public void Analyse_UnpricedModel_HasNoCost()
    {
        const string Answer = """{"choices":[{"message":{"role":"assistant","content":"Hi."}}],"usage":{"prompt_tokens":10,"completion_tokens":3}}""";

        var unpriced = RecordedTraffic.Analyse([Exchange(Chat, """{"model":"gpt-unlisted","messages":[]}""", Answer)], "agent");
        var mixed = RecordedTraffic.Analyse(
            [Exchange(Chat, """{"model":"gpt-4o-mini","messages":[]}""", Answer), Exchange(Chat, """{"model":"gpt-unlisted","messages":[]}""", Answer)], "agent");

        Assert.Equal((10L, 3L), (unpriced.InputTokens, unpriced.OutputTokens));
        Assert.Null(unpriced.CostUsd);
        Assert.Null(mixed.CostUsd);
    }

    [Fact]
    public void Analyse_NoInteractions_IsAnEmptyRun()
    {
        var traffic = RecordedTraffic.Analyse([], "agent");

        Assert.Equal((0, 0, 0L, 0L, (decimal?)0m, string.Empty), (traffic.Steps, traffic.ModelCalls, traffic.InputTokens, traffic.OutputTokens, traffic.CostUsd, traffic.LastText));
        Assert.Empty(traffic.ToolCalls);
        Assert.Empty(traffic.Transcript);
        Assert.Empty(traffic.Trace);
    }
}
