using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Tests.Cli;

/// <summary>A suite on <c>model: ollama:llama3.2</c> in the built-in runtime (OllamaSharp's client): recorded with no key, replayed, at $0.</summary>
public sealed class OllamaSuiteTests : CliTest
{
    private const string Suite = """
        suite: local
        agent:
          model: ollama:llama3.2
          system_prompt: "You answer questions about orders. Look an order up before you answer."
          tools: [orders.lookup_order]
        variants:
          - name: default
          - name: streaming
            streaming: true
        fixtures:
          orders:
            - { id: A101, customer: ana@example.com, total: 18.50, status: shipped, item: tea sampler }
        scenarios:
          - name: order-status
            input: "Where is my order A101?"
            expect:
              output: { contains: [shipped] }
              tools:
                called:
                  - { name: orders.lookup_order, args: { order_id: A101 } }
        """;

    private const string Script = """
        default:
          order-status:
            - tools: [{ lookup_order: { order_id: A101 } }]
            - text: "Your order A101 (tea sampler) has shipped."
        """;

    private string WriteSuite(string suite = Suite)
    {
        Temp.Write("scripts/local.yaml", Script);
        return Temp.Write("local.yaml", suite);
    }

    private Task<int> RecordAsync(string suite, string cassettes, string upstream) =>
        Evalh("record", suite, "--upstream", upstream, "--cassettes", cassettes, "--reports", Temp.Combine("reports"));

    private Task<int> ReplayAsync(string suite, string cassettes) => Evalh("run", suite, "--cassettes", cassettes, "--reports", Temp.Combine("reports"));

    [Fact]
    public async Task Record_OllamaModelFromTheScriptedUpstream_ReplaysWithTheToolsResultAtNoCost()
    {
        var (suite, cassettes) = (WriteSuite(), Temp.Combine("cassettes"));

        Assert.True(await RecordAsync(suite, cassettes, "scripted") == 0, Out.ToString() + Error);
        Assert.True(await ReplayAsync(suite, cassettes) == 0, Out.ToString() + Error);
        var run = await EvalRunner.RunAsync(SuiteLoader.Load(suite), new RunOptions { CassetteDirectory = cassettes }, Ct);

        Assert.Equal(2, run.Cases.Count);
        Assert.All(run.Cases, c =>
        {
            Assert.True(c.Passed, $"{c.CassetteId}: {c.Error}");
            Assert.Equal("Your order A101 (tea sampler) has shipped.", c.FinalOutput);
            Assert.Equal(0m, c.CostUsd);
            Assert.True(c.InputTokens > 0 && c.OutputTokens > 0);
            var call = Assert.Single(c.ToolCalls);
            Assert.Equal(("orders.lookup_order", "ok"), (call.Tool, call.Status));
            Assert.Contains("shipped", call.Result, StringComparison.Ordinal);
        });
        var streamed = new CassetteStore(cassettes).Load("local/streaming/order-status/t1")!;
        Assert.Equal("ollama", streamed.Provider);
        Assert.All(streamed.Interactions, i => Assert.Equal("application/x-ndjson", i.Response.Headers["content-type"]));
    }

    [Fact]
    public async Task Replay_AChangedPrompt_ExitsTwoNamingTheJsonPath()
    {
        var cassettes = Temp.Combine("cassettes");
        Assert.Equal(0, await RecordAsync(WriteSuite(), cassettes, "scripted"));
        var changed = WriteSuite(Suite.Replace("Where is my order A101?", "Where is my order A101 now?", StringComparison.Ordinal));

        var exit = await ReplayAsync(changed, cassettes);

        Assert.Equal(2, exit);
        Assert.Contains("the request differs from the recording at $.messages[1].content", Out.ToString() + Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_FromALocalOllamaUrl_NeedsNoKey()
    {
        // A stand-in for `ollama serve` on its own port: Ollama's wire format, no key asked or sent.
        var (app, ollama) = await LoopbackHostAccess.StartAsync(a => a.MapPost("/api/chat", FakeOllamaAsync), Ct);
        await using var _ = app;
        var (suite, cassettes) = (WriteSuite(), Temp.Combine("cassettes"));

        var recordExit = await RecordAsync(suite, cassettes, ollama.ToString());
        var replayExit = await ReplayAsync(suite, cassettes);

        Assert.Equal((0, 0), (recordExit, replayExit));
        var cassette = new CassetteStore(cassettes).Load("local/default/order-status/t1")!;
        Assert.Equal(("ollama", "live"), (cassette.Provider, cassette.RecordedFrom));
        Assert.DoesNotContain(cassette.Interactions, i => i.Request.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task ProcessAgent_ReachesItsCassetteAtOllamaHost_NoKeySet()
    {
        // A Python agent on Ollama's raw API, as the ollama package sends it: OLLAMA_HOST and /api/chat, streamed by
        // default, the tool's result sent back with tool_name.
        Temp.Write("agent.py", """
            import json, os, sys, urllib.request
            case = json.loads(sys.stdin.readline())
            host = os.environ["OLLAMA_HOST"]
            assert "OLLAMA_API_KEY" not in os.environ
            messages = [{"role": "system", "content": "You answer questions about orders. Look an order up before you answer."},
                        {"role": "user", "content": case["input"]}]
            tools = [{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}}}}]
            while True:
                body = json.dumps({"model": os.environ["EVALH_MODEL"], "messages": messages, "tools": tools}).encode()
                request = urllib.request.Request(host + "/api/chat", body, {"Content-Type": "application/json"})
                lines = [json.loads(line) for line in urllib.request.urlopen(request).read().decode().splitlines() if line]
                text = "".join(l["message"]["content"] for l in lines)
                calls = [c for l in lines for c in l["message"].get("tool_calls", [])]
                if not calls:
                    break
                messages.append({"role": "assistant", "content": text, "tool_calls": calls})
                for call in calls:
                    messages.append({"role": "tool", "tool_name": call["function"]["name"], "content": json.dumps({"status": "shipped"})})
            print(json.dumps({"output": text}))
            """);
        var suite = WriteSuite(Suite.Replace("  tools: [orders.lookup_order]\n", "  command: [python3, agent.py]\n", StringComparison.Ordinal)
            .Replace("orders.lookup_order", "lookup_order", StringComparison.Ordinal).Replace("    streaming: true\n", string.Empty, StringComparison.Ordinal));
        var cassettes = Temp.Combine("cassettes");

        Assert.True(await RecordAsync(suite, cassettes, "scripted") == 0, Out.ToString() + Error);
        Assert.True(await ReplayAsync(suite, cassettes) == 0, Out.ToString() + Error);
        var run = await EvalRunner.RunAsync(SuiteLoader.Load(suite), new RunOptions { CassetteDirectory = cassettes }, Ct);

        Assert.All(run.Cases, c =>
        {
            Assert.True(c.Passed, $"{c.CassetteId}: {c.Error}");
            var call = Assert.Single(c.ToolCalls);
            Assert.Equal(("lookup_order", "ok", "{\"status\": \"shipped\"}"), (call.Tool, call.Status, call.Result));
            Assert.Equal(0m, c.CostUsd);
        });
    }

    /// <summary>Asks for the order first, then answers; a line of JSON per piece when the request streams (as it does when it does not say).</summary>
    private static async Task FakeOllamaAsync(HttpContext context)
    {
        using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var stream = !(request.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.False);
        var answered = request.RootElement.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("role").GetString() == "tool");
        var message = answered
            ? """{"role":"assistant","content":"Your order A101 (tea sampler) has shipped."}"""
            : """{"role":"assistant","content":"","tool_calls":[{"id":"call_x1y2z3w4","function":{"index":0,"name":"lookup_order","arguments":{"order_id":"A101"}}}]}""";
        const string Head = """{"model":"llama3.2","created_at":"2026-01-01T00:00:00.123456Z",""";
        const string Counts = "\"done_reason\":\"stop\",\"done\":true,\"total_duration\":900000000,\"prompt_eval_count\":40,\"eval_count\":12}";
        if (!stream)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync($"{Head}\"message\":{message},{Counts}", context.RequestAborted);
            return;
        }

        context.Response.ContentType = "application/x-ndjson";
        await context.Response.WriteAsync($"{Head}\"message\":{message},\"done\":false}}\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        await context.Response.WriteAsync($"{Head}\"message\":{{\"role\":\"assistant\",\"content\":\"\"}},{Counts}\n", context.RequestAborted);
    }
}
