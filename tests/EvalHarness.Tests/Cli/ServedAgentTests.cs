using System.Diagnostics;
using System.Text.Json;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// A served agent (<c>agent: { http: … }</c>): a real service process the suite starts (Node, standard library, calling
/// its model with fetch), each case POSTed to it with trace context, its model calls reaching the cassette server's
/// case-less address and routed to their case by what it passes on.
/// </summary>
public sealed class ServedAgentTests : CliTest
{
    private static readonly string Service = Path.Combine(RepoPaths.Root, "tests", "EvalHarness.Tests", "Support", "served", "stock-service.mjs");

    private const string SixScenarios = """
          - { name: mug-01, input: "How many MUG-01?", expect: { output: { contains: ["3 in stock"] }, tools: { called: [{ name: check_stock, args: { sku: MUG-01 } }] } } }
          - { name: mug-02, input: "Any MUG-02?", expect: { output: { contains: [sold out] }, state: { "checked[0]": MUG-02 } } }
          - { name: tee-01, input: "TEE-01 stock?", expect: { output: { contains: ["12"] } } }
          - { name: cap-01, input: "CAP-01?", expect: { output: { contains: [not sold] } } }
          - { name: two-mugs, input: "Both mugs?", expect: { tools: { called: [{ name: check_stock, args: { sku: MUG-02 } }] }, state: { checked.count: 2 } } }
          - { name: hello, input: "Hi", expect: { output: { contains: [Hello] }, tools: { not_called: [check_stock] } } }
        """;

    private const string ThreeTurns = """
          - name: three-turns
            conversation:
              - user: "Hi"
                expect: { output: { contains: [Which SKU] }, tools: { not_called: [check_stock] } }
              - user: "MUG-01 please"
                expect: { output: { contains: ["3 in stock"] }, tools: { called: [{ name: check_stock, args: { sku: MUG-01 } }] } }
              - user: "And TEE-01?"
                expect: { output: { contains: ["12 in stock"] }, tools: { called: [{ name: check_stock, args: { sku: TEE-01 } }] } }
        """;

    private readonly int _port = Ports.Free();

    private const string BodyAndPaths = """
        body: { message: "{{input}}", session_id: "{{session}}" }
            output: "$.reply"
            state: "$.state"
            session: "$.session_id"
        """;

    /// <summary>The suite's start: block (its lines after the first indented as under http:).</summary>
    private string StartBlock(string propagate, string env) => string.Join("\n    ", [
        "start:",
        $"  command: [node, \"{Service.Replace("\\", "/", StringComparison.Ordinal)}\"]",
        $"  env: {{ PORT: \"{_port}\", PROPAGATE: {propagate}{env} }}",
        $"  ready: \"http://127.0.0.1:{_port}/health\"",
        "  ready_timeout_s: 20",
    ]);

    /// <summary>
    /// The suite: the service's propagation, more of its env (<c>, START: exit</c>; null when the test starts the
    /// service itself), the scenarios (six single-turn ones by default), the endpoint's path and how it is spoken to.
    /// </summary>
    private string Suite(string propagate = "w3c", string? start = "", string scenarios = "", string path = "chat", string io = BodyAndPaths)
    {
        Temp.Write("scripts/stock.yaml", "default:\n" + (scenarios.Length > 0 ? """
              three-turns:
                - text: "Hello! Which SKU?"
                - tools: [{ check_stock: { sku: MUG-01 } }]
                - text: "MUG-01: 3 in stock."
                - tools: [{ check_stock: { sku: TEE-01 } }]
                - text: "TEE-01: 12 in stock."
            """ : """
              mug-01: [{ tools: [{ check_stock: { sku: MUG-01 } }] }, { text: "MUG-01: 3 in stock." }]
              mug-02: [{ tools: [{ check_stock: { sku: MUG-02 } }] }, { text: "MUG-02 is sold out." }]
              tee-01: [{ tools: [{ check_stock: { sku: TEE-01 } }] }, { text: "TEE-01: 12 in stock." }]
              cap-01: [{ tools: [{ check_stock: { sku: CAP-01 } }] }, { text: "CAP-01 is not sold here." }]
              two-mugs: [{ tools: [{ check_stock: { sku: MUG-01 } }, { check_stock: { sku: MUG-02 } }] }, { text: "MUG-01: 3; MUG-02: none." }]
              hello: [{ text: "Hello! Ask me about stock." }]
            """));
        return Temp.Write("stock.yaml", $$$"""
            suite: stock
            cassettes: { dir: cassettes }
            agent:
              model: openai:gpt-4o-mini
              http:
                url: "http://127.0.0.1:{{{_port}}}/{{{path}}}"
                {{{(start is null ? "# started before the run" : StartBlock(propagate, start))}}}
                {{{io}}}
            scenarios:
            {{{(scenarios.Length > 0 ? scenarios : SixScenarios)}}}
            """);
    }

    private Task<int> Record(string suite, params string[] more) =>
        Evalh(["record", suite, "--upstream", "scripted", "--concurrency", "6", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"), .. more]);

    private Task<int> Replay(string suite, params string[] more) =>
        Evalh(["run", suite, "--concurrency", "6", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"), .. more]);

    [Fact(Timeout = 120_000)]
    public async Task SixCasesAtOnce_RecordEachIntoItsOwnCassette_ReplayAndStopTheService()
    {
        var suite = Suite();
        await SucceedsAsync(Record(suite));

        var cassettes = Directory.GetFiles(Temp.Combine("cassettes"), "*.json", SearchOption.AllDirectories);
        Assert.Equal(6, cassettes.Length);
        foreach (var (name, sku) in new[] { ("mug-01", "MUG-01"), ("mug-02", "MUG-02"), ("tee-01", "TEE-01"), ("cap-01", "CAP-01") })
        {
            // Each case's model calls, routed by their trace id, are in its own cassette and in no other.
            var text = File.ReadAllText(Assert.Single(cassettes, c => Path.GetFileName(c).StartsWith(name + ".", StringComparison.Ordinal)));
            Assert.Contains(sku, text, StringComparison.Ordinal);
            Assert.All(cassettes.Where(c => !Path.GetFileName(c).StartsWith(name + ".", StringComparison.Ordinal) && !Path.GetFileName(c).StartsWith("two-mugs.", StringComparison.Ordinal)),
                other => Assert.DoesNotContain(sku, File.ReadAllText(other), StringComparison.Ordinal));
        }

        Assert.False(Ports.Accepts(_port), "the service still runs after the recording");
        Out.GetStringBuilder().Clear();
        await SucceedsAsync(Replay(suite));
        Assert.Contains("6/6 passed", Out.ToString(), StringComparison.Ordinal);
        Assert.False(Ports.Accepts(_port), "the service still runs after the replay");
    }

    [Fact(Timeout = 120_000)]
    public async Task AServiceStartedBeforeTheRun_PointedAtTheRunsPort_RecordsAndReplays_AndIsLeftRunning()
    {
        var cassettePort = Ports.Free();
        using var service = Process.Start(new ProcessStartInfo("node", [Service])
        {
            Environment = { ["PORT"] = $"{_port}", ["OPENAI_BASE_URL"] = $"http://127.0.0.1:{cassettePort}/v1", ["OPENAI_API_KEY"] = "sk-team-local" },
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Contains("listening", await service.StandardOutput.ReadLineAsync(Ct), StringComparison.Ordinal);
            var suite = Suite(start: null);

            await SucceedsAsync(Record(suite, "--port", $"{cassettePort}"));
            Out.GetStringBuilder().Clear();
            await SucceedsAsync(Replay(suite, "--port", $"{cassettePort}"));

            Assert.Contains("6/6 passed", Out.ToString(), StringComparison.Ordinal);
            Assert.True(Ports.Accepts(_port), "the harness stopped a service it did not start");
        }
        finally
        {
            service.Kill(entireProcessTree: true);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Load_TheServiceStartedOnce_EveryIterationRoutedToItsOwnInstance()
    {
        var suite = Suite();
        await SucceedsAsync(Record(suite));

        var exit = await Evalh("load", suite, "--iterations", "18", "--concurrency", "6", "--cassettes", Temp.Combine("cassettes"), "--out", Temp.Combine("load"));

        Assert.True(exit == 0, $"evalh exited {exit}:{Environment.NewLine}{Out}{Error}");
        using var load = JsonDocument.Parse(File.ReadAllText(Temp.Combine("load", "load.json")));
        Assert.Equal(18, load.RootElement.GetProperty("iterations").GetInt32());
        Assert.Equal(0, load.RootElement.GetProperty("failures").GetInt32());
        Assert.Equal(0, load.RootElement.GetProperty("errors").GetProperty("count").GetInt32());
        Assert.Equal(3 * 11, load.RootElement.GetProperty("modelCalls").GetInt32()); // three rounds of the six cases' eleven model calls
        Assert.False(Ports.Accepts(_port), "the service still runs after the load test");
    }

    [Fact(Timeout = 120_000)]
    public async Task Replay_AnswerBroken_ExitsOne()
    {
        var suite = Suite();
        await SucceedsAsync(Record(suite));
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("contains: [\"12\"]", "contains: [\"13\"]", StringComparison.Ordinal));

        Out.GetStringBuilder().Clear();
        Assert.Equal(1, await Replay(suite));
        Assert.Contains("5/6 passed", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Replay_ServiceDropsTraceContext_EveryCaseFailsSayingWhatToPropagate()
    {
        await SucceedsAsync(Record(Suite()));

        Out.GetStringBuilder().Clear();
        var exit = await Replay(Suite(propagate: "none"));

        Assert.Equal(2, exit);
        var output = Out.ToString() + Error;
        Assert.Contains("0/6 passed", Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("As a served agent's call to the case-less address, it names no case: it came with no traceparent, no 'evalh.case_id' baggage and no x-evalh-case-id header", output, StringComparison.Ordinal);
        Assert.Contains("OpenTelemetry", output, StringComparison.Ordinal);
        Assert.False(Ports.Accepts(_port));
    }

    [Fact(Timeout = 120_000)]
    public async Task Replay_ServicePassesOnOnlyTheCaseHeader_IsRoutedByIt()
    {
        await SucceedsAsync(Record(Suite()));

        Out.GetStringBuilder().Clear();
        await SucceedsAsync(Replay(Suite(propagate: "header")));
        Assert.Contains("6/6 passed", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task ThreeTurnConversation_ThroughTheServiceSession_ReplaysWithPerTurnExpectations()
    {
        var suite = Suite(scenarios: ThreeTurns + "\n" + """
                expect: { state: { checked.count: 2, "checked[1]": TEE-01 } }
            """);
        await SucceedsAsync(Record(suite));
        var cassette = File.ReadAllText(Assert.Single(Directory.GetFiles(Temp.Combine("cassettes"), "*.json", SearchOption.AllDirectories)));

        // One session: the third turn's model call carries the first two turns.
        using var document = JsonDocument.Parse(cassette);
        var last = document.RootElement.GetProperty("interactions").EnumerateArray().Last();
        Assert.Contains("MUG-01 please", last.GetProperty("request").GetRawText(), StringComparison.Ordinal);

        Out.GetStringBuilder().Clear();
        await SucceedsAsync(Replay(suite));
        Assert.Contains("1/1 passed", Out.ToString(), StringComparison.Ordinal);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("v1/responses", "openai-responses")]
    [InlineData("v1/chat/completions", "openai-chat")]
    public async Task ThreeTurnConversation_ThroughAnAgentHostsOpenAIEndpoint_Replays(string path, string protocol)
    {
        var suite = Suite(path: path, io: $"protocol: {protocol}", scenarios: ThreeTurns);
        await SucceedsAsync(Record(suite));

        // Responses continues previous_response_id, Chat Completions sends it all: either way the third model call has the first turn.
        var cassette = File.ReadAllText(Assert.Single(Directory.GetFiles(Temp.Combine("cassettes"), "*.json", SearchOption.AllDirectories)));
        using var document = JsonDocument.Parse(cassette);
        Assert.Contains("MUG-01 please", document.RootElement.GetProperty("interactions").EnumerateArray().Last().GetProperty("request").GetRawText(), StringComparison.Ordinal);

        Out.GetStringBuilder().Clear();
        await SucceedsAsync(Replay(suite));
        Assert.Contains("1/1 passed", Out.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_ServiceExitsWhileStarting_ExitsTwoQuotingItsLog()
    {
        var exit = await Record(Suite(start: ", START: exit"));

        Assert.Equal(2, exit);
        Assert.Contains("cannot open inventory.db (missing file)", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Ports.Accepts(_port));
        // No case ran: the progress it kept while starting is gone with its folder, so evalh view lists no stopped run.
        Assert.Empty(Directory.Exists(Temp.Combine("reports", "runs")) ? Directory.GetFileSystemEntries(Temp.Combine("reports", "runs")) : []);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_ServiceNeverReady_ExitsTwoNamingTheReadyUrlAndStopsIt()
    {
        var suite = Suite(start: ", START: never-ready");
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("ready_timeout_s: 20", "ready_timeout_s: 2", StringComparison.Ordinal));

        var exit = await Record(suite);

        Assert.Equal(2, exit);
        Assert.Contains($"http://127.0.0.1:{_port}/health", Error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"stock-service listening on {_port}", Error.ToString(), StringComparison.Ordinal);
        Assert.False(Ports.Accepts(_port));
    }

    [Fact(Timeout = 120_000)]
    public async Task Load_BodyTemplateWithAnUnknownPlaceholder_ExitsTwoNamingTheLine()
    {
        var suite = Suite();
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("\"{{input}}\"", "\"{{inptu}}\"", StringComparison.Ordinal));

        Assert.Equal(2, await Replay(suite));
        Assert.Contains("stock.yaml:12", Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("body has {{inptu}}, which the harness does not fill in", Error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Asserts exit 0, showing what evalh wrote when it is not.</summary>
    private async Task SucceedsAsync(Task<int> evalh)
    {
        var exit = await evalh;
        Assert.True(exit == 0, $"evalh exited {exit}:{Environment.NewLine}{Out}{Error}");
    }
}
