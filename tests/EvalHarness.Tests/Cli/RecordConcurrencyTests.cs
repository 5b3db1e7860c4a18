using System.Text.Json;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Server;
using EvalHarness.Cli.Commands;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace EvalHarness.Tests.Cli;

/// <summary>How many cases run at once: the CPU's share for a replay; for a live recording a larger limit that backs off on 429s.</summary>
public sealed class RecordConcurrencyTests : CliTest
{
    private static readonly object Answer = new
    {
        id = "chatcmpl-1", @object = "chat.completion", created = 1, model = "gpt-4o-mini",
        choices = new[] { new { index = 0, finish_reason = "stop", message = new { role = "assistant", content = "Hello!" } } },
        usage = new { prompt_tokens = 10, completion_tokens = 2, total_tokens = 12 },
    };

    private string Suite(string extra = "") => Temp.Write("suites/greet.yaml", $$"""
        suite: greet
        agent:
          model: openai:gpt-4o-mini
          system_prompt: "Greet the user."
          retry: { max_retries: 3, base_delay_ms: 1 }
        {{extra}}
        scenarios:
          - { name: one, input: "Hi, I'm one.", expect: { output: { contains: [Hello] } } }
          - { name: two, input: "Hi, I'm two.", expect: { output: { contains: [Hello] } } }
          - { name: three, input: "Hi, I'm three.", expect: { output: { contains: [Hello] } } }
        """);

    /// <summary>Records the suite from <paramref name="upstream"/> as a live provider (through the runner: the CLI would read the key from the environment).</summary>
    private async Task<(RunResult Run, List<string> Notices, RunOptions Options)> RecordLiveAsync(string suitePath, WireMock.Server.WireMockServer upstream, int? concurrency = null)
    {
        var suite = SuiteLoader.Load(suitePath);
        var notices = new List<string>();
        var options = new RunOptions
        {
            CassetteDirectory = Temp.Combine("cassettes"),
            Mode = RecordMode.All,
            Upstream = upstream.BaseAddress().ToString(),
            ApiKeys = new Dictionary<string, string> { ["openai"] = "sk-test-0000000000000000" },
            LiveConcurrency = concurrency ?? RunOptions.DefaultLiveConcurrency,
            ProviderConcurrency = suite.Cassettes.RecordConcurrency,
            OnNotice = notices.Add,
        };
        return (await EvalRunner.RunAsync(suite, options, Ct), notices, options);
    }

    [Fact]
    public async Task ALiveRecording_RunsSixteenAtOnce_AndBacksOffWhenTheProviderAnswers429()
    {
        // The provider's first answer is a 429 asking to wait 20 ms; every later one is an answer.
        using var upstream = WireMockUpstream.Start();
        var answered = 0;
        var limited = JsonSerializer.Serialize(new { error = new { message = "Rate limit reached", type = "requests", code = "rate_limit_exceeded" } });
        upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(Response.Create().WithCallback(_ =>
            Interlocked.Increment(ref answered) == 1
                ? Json(429, limited, ("retry-after-ms", "20"))
                : Json(200, JsonSerializer.Serialize(Answer))));

        var (run, notices, options) = await RecordLiveAsync(Suite(), upstream);

        Assert.Equal(3, run.Summary.Passed);
        Assert.True(options.ReachesLiveProvider);
        Assert.Equal("Up to 16 openai case(s) at once, waiting on a live provider: fewer while it answers 429 or asks to retry later, more again as answers come (--concurrency, cassettes.record_concurrency).",
            SuiteSession.AtOnce(SuiteLoader.Load(Suite()), options));
        // Three answers after the 429 are not yet eight (the limit's worth that would raise it again).
        Assert.Equal(["openai throttled 1 request(s) (429 or Retry-After): cases at once went from 16 down to 8, and ended at 8."], notices);
    }

    [Fact]
    public async Task ASuitesRecordConcurrency_AndTheCommandLine_SetTheLiveLimit()
    {
        using var upstream = WireMockUpstream.Start();
        upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(Response.Create().WithBodyAsJson(Answer));
        var suite = Suite("cassettes: { record_concurrency: { openai: 3 } }");

        var (run, _, options) = await RecordLiveAsync(suite, upstream);
        Assert.Equal(3, run.Summary.Passed);
        Assert.Equal(3, options.ConcurrencyFor("openai"));
        Assert.Equal(2, (await RecordLiveAsync(suite, upstream, concurrency: 2)).Options.ConcurrencyFor("openai"));
        Assert.Equal(RunOptions.DefaultConcurrency, (options with { Mode = RecordMode.None }).ConcurrencyFor("openai")); // a replay waits on nothing
    }

    [Fact]
    public async Task AReplay_RunsTwoCasesPerCore()
    {
        using var upstream = WireMockUpstream.Start();
        upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(Response.Create().WithBodyAsJson(Answer));
        var suite = Suite();
        await RecordLiveAsync(suite, upstream);

        Assert.Equal(0, await Evalh("run", suite, "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports")));

        Assert.Matches(new Regex($"\\b{Math.Max(2, Environment.ProcessorCount * 2)} case\\(s\\) at once \\(--concurrency\\)"), Out.ToString());
    }

    [Fact]
    public async Task AnUnknownProviderInRecordConcurrency_IsAnInputErrorAtItsLine()
    {
        var exit = await Evalh("run", Suite("cassettes: { record_concurrency: { openia: 3 } }"), "--cassettes", Temp.Combine("cassettes"));

        Assert.Equal(2, exit);
        var providers = string.Join(", ", EvalHarness.Cassettes.Protocols.WireProtocols.All.Select(p => p.Name));
        Assert.Contains($"greet.yaml:6:36: record_concurrency names providers ({providers}), not 'openia'.", Error.ToString(), StringComparison.Ordinal);
    }

    private static ResponseMessage Json(int status, string body, params (string Name, string Value)[] headers)
    {
        var all = new Dictionary<string, WireMockList<string>> { ["content-type"] = new("application/json") };
        foreach (var (name, value) in headers)
        {
            all[name] = new(value);
        }

        return new ResponseMessage { StatusCode = status, Headers = all, BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = body } };
    }
}
