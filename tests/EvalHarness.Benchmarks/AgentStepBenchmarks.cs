using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EvalHarness.Agents.Providers;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Server;
using EvalHarness.BuiltIn;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace EvalHarness.Benchmarks;

/// <summary>
/// One agent run of two model calls and two steps (the model calls <c>calculator.evaluate</c>, then answers in
/// text), so steps per second are 2 / mean. The baseline runs the <see cref="Agent"/> on an in-process fake
/// <see cref="IChatClient"/> that returns prepared responses; the other runs the same agent on the real
/// <see cref="EvalHarness.Agents.Providers.OpenAIChatClient"/> (the OpenAI SDK) against a <see cref="CassetteServer"/> replaying a cassette
/// recorded for the task in setup. Each replayed run then takes the cassette's activity, as the runner does
/// after a case, so the next run loads the cassette again.
/// </summary>
[MemoryDiagnoser]
public class AgentStepBenchmarks
{
    private const string Id = "bench/default/calculator/t1";
    private const string Input = "What is 20% of 1200 plus 340.50? Use the calculator.";
    private const string Expression = "(1200 + 340.5) * 0.2";
    private const string Answer = "20% of 1,540.50 is 308.10.";
    private string _root = null!;
    private CaseEnvironment _environment = null!;
    private CassetteServer _server = null!;
    private HttpClient _http = null!;
    private Agent _inProcess = null!;
    private Agent _replayed = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _root = OpenAIWire.TempFolder("agent");
        _environment = CaseEnvironment.Create(new Fixtures());
        _http = Loopback.Client();
        _inProcess = NewAgent(new PreparedChatClient());

        // Record the task once: the cassette server in record mode, in front of a tiny upstream in the OpenAI wire format.
        var (upstream, upstreamAddress) = await Loopback.StartAsync(app => app.MapPost("/v1/chat/completions", UpstreamAsync));
        await using (var recorder = await CassetteServer.StartAsync(new CassetteServerOptions
        {
            CassetteDirectory = _root,
            Mode = RecordMode.Once,
            Upstream = upstreamAddress.ToString(),
            RecordedFrom = "scripted",
        }))
        {
            Check(await NewAgent(OpenAI(recorder)).RunAsync(Input), await recorder.TakeActivityAsync(Id), "recording");
        }

        await upstream.StopAsync();
        await upstream.DisposeAsync();

        _server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _root });
        _replayed = NewAgent(OpenAI(_server));
        Check(await _replayed.RunAsync(Input), await _server.TakeActivityAsync(Id), "replay");
        Check(await _inProcess.RunAsync(Input), CassetteActivity.Empty, "in process");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _environment.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> InProcess() => (await _inProcess.RunAsync(Input)).Steps;

    [Benchmark]
    public async Task<int> ThroughCassetteServer()
    {
        var run = await _replayed.RunAsync(Input);
        await _server.TakeActivityAsync(Id);
        return run.Steps;
    }

    private Agent NewAgent(IChatClient client) =>
        new(client, new AgentOptions(OpenAIWire.Model, "You are a careful assistant. Use the calculator for arithmetic.", ToolCatalog.Build(_environment, ["calculator.evaluate"]), new AgentLimits(maxSteps: 4)));

    private OpenAIChatClient OpenAI(CassetteServer server) => new(new Uri(server.BaseAddressFor(Id), "v1"), "replay-key", OpenAIWire.Model, _http);

    private static void Check(AgentRun run, CassetteActivity activity, string what)
    {
        if (run.Outcome != AgentOutcome.Completed || run.Steps != 2 || run.ToolCalls.Count != 1 || activity.Misses.Count > 0)
        {
            throw new InvalidOperationException($"The {what} run did not go as planned: {run.Outcome} after {run.Steps} step(s): {run.Reason} {string.Join(" ", activity.Misses.Select(m => m.Message))}");
        }
    }

    /// <summary>The model's two turns in the OpenAI wire format: a call to the calculator, then, after its result, the answer.</summary>
    private static async Task UpstreamAsync(HttpContext context)
    {
        using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var afterTool = request.RootElement.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("role").GetString() == "tool");
        object message = afterTool
            ? new { role = "assistant", content = Answer }
            : new
            {
                role = "assistant",
                content = (string?)null,
                tool_calls = new[] { new { id = "call_8f2c1d", type = "function", function = new { name = "calculate", arguments = JsonSerializer.Serialize(new { expression = Expression }) } } },
            };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = afterTool ? "chatcmpl-2" : "chatcmpl-1",
            @object = "chat.completion",
            created = 1767225600,
            model = OpenAIWire.Model,
            choices = new[] { new { index = 0, message, finish_reason = afterTool ? "stop" : "tool_calls" } },
            usage = new { prompt_tokens = afterTool ? 140 : 96, completion_tokens = afterTool ? 14 : 22, total_tokens = afterTool ? 154 : 118 },
        }), context.RequestAborted);
    }

    /// <summary>The model in process: the same two turns as prepared responses.</summary>
    private sealed class PreparedChatClient : IChatClient
    {
        private readonly ChatResponse _call = new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_8f2c1d", "calculate", new Dictionary<string, object?> { ["expression"] = Expression })]))
        {
            ModelId = OpenAIWire.Model,
            FinishReason = ChatFinishReason.ToolCalls,
            Usage = new UsageDetails { InputTokenCount = 96, OutputTokenCount = 22, TotalTokenCount = 118 },
        };

        private readonly ChatResponse _answer = new(new ChatMessage(ChatRole.Assistant, Answer))
        {
            ModelId = OpenAIWire.Model,
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 140, OutputTokenCount = 14, TotalTokenCount = 154 },
        };

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(messages.Any(m => m.Role == ChatRole.Tool) ? _answer : _call);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The benchmark's agent does not stream.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
