using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>An own .NET agent the suites below name by its full type name; the test assembly is loaded, so it is found.</summary>
public sealed class CannedAgent : IAgentUnderTest
{
    public Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default) =>
        Task.FromResult(AgentReport.FromOutput("canned"));
}

public sealed class OwnAgentSuiteTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public OwnAgentSuiteTests() => Directory.CreateDirectory(_temp.Combine("sub"));

    public void Dispose() => _temp.Dispose();

    private const string Process = """
        suite: own
        agent:
          model: openai:gpt-4o-mini
          command: [python3, agent.py]
          env: { MODE: careful, LEVEL: "1" }
          cwd: sub
          timeout_s: 30
        variants:
          - name: base
          - name: terse
            model: openai:gpt-4o
            env: { MODE: terse, EXTRA: x }
        scenarios:
          - name: refund
            input: Refund A1
            vars: { order_id: A1, amount: 10 }
            expect:
              tools: { called: [{ name: lookup, args: { id: A1 } }], not_called: [refund] }
              counters: { retries: 0, cache_hits: 2 }
              state: { orders.A1.status: refunded, "items[0].id": x }
        """;

    private const string Dotnet = """
        suite: own
        agent:
          model: openai:gpt-4o-mini
          dotnet: { type: EvalHarness.Tests.Core.CannedAgent }
        scenarios:
          - name: hello
            input: Hi
        """;

    private const string Served = """
        suite: own
        agent:
          http:
            url: "http://127.0.0.1:5077/chat"
            body: { message: "{{input}}", session_id: "{{session}}" }
            output: "$.reply"
            session: "$.session_id"
        scenarios:
          - name: hello
            input: Hi
        """;

    private const string BuiltIn = """
        suite: rt
        agent:
          model: openai:gpt-4o-mini
          system_prompt: Be helpful.
          tools: [orders.lookup_order]
        scenarios:
          - name: s
            input: x
            expect: { tools: { called: [{ name: orders.lookup_order }] } }
        """;

    /// <summary>A public agent nested in a class: reflection does not call it public, but a team would.</summary>
    public static class Agents
    {
        public sealed class Nested : IAgentUnderTest
        {
            public Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default) => Task.FromResult<AgentReport>("nested");
        }
    }

    private string SuitePath => _temp.Combine("own.yaml");

    [Theory]
    [InlineData("command: [python3, agent.py]", "comand: [python3, agent.py]", "unknown key 'comand' in agent. Did you mean 'command'?")]
    [InlineData("command: [python3, agent.py]", "system_prompt: Be helpful.", "'env' is for process agents: add command: [program, arguments…]")]
    public void Parse_ProcessAgentKeyMisspelt_SaysWhatWasMeant(string from, string to, string message)
    {
        var error = Assert.Throws<SuiteException>(() => Parse(Process.Replace(from, to, StringComparison.Ordinal)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DotnetAgentNestedInAPublicClass_IsFound()
    {
        var agent = Parse(Dotnet.Replace("EvalHarness.Tests.Core.CannedAgent", "EvalHarness.Tests.Core.OwnAgentSuiteTests+Agents+Nested", StringComparison.Ordinal)).Variants[0].Agent;

        Assert.IsType<Agents.Nested>(agent.Own!.Create());
    }

    private Suite Parse(string yaml) => SuiteLoader.Parse(SuitePath, yaml);

    [Fact]
    public void Parse_ProcessAgent_ReadsCommandEnvCwdAndTimeout()
    {
        var agent = Parse(Process).Variants[0].Agent;

        var own = Assert.IsType<OwnAgent>(agent.Own);
        Assert.Equal(["python3", "agent.py"], own.Command);
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "careful", ["LEVEL"] = "1" }, own.Environment);
        Assert.Equal(_temp.Combine("sub"), own.WorkingDirectory);
        Assert.Equal(TimeSpan.FromSeconds(30), own.Timeout);
        Assert.Equal(("process: python3 agent.py", "process: python3 agent.py"), (own.Description, agent.SystemPromptSource));
        Assert.Equal("openai:gpt-4o-mini", agent.Model.ToString());
        Assert.IsType<ProcessAgent>(own.Create());
    }

    [Fact]
    public void Parse_ProcessAgentWithoutModel_ChoosesItsOwn()
    {
        var variants = Parse(Process.Replace("  model: openai:gpt-4o-mini\n", string.Empty, StringComparison.Ordinal)).Variants;

        Assert.True(variants[0].Agent.Model.IsChosenByTheAgent);
        Assert.Equal("openai:gpt-4o", variants[1].Agent.Model.ToString()); // a variant may still name one
    }

    [Fact]
    public void Parse_ProcessAgentWithoutCwdOrTimeout_RunsInTheSuiteFolderForAMinute()
    {
        var own = Parse(Process.Replace("  cwd: sub\n  timeout_s: 30\n", string.Empty, StringComparison.Ordinal)).Variants[0].Agent.Own!;

        Assert.Equal((_temp.Path, TimeSpan.FromSeconds(60)), (own.WorkingDirectory, own.Timeout));
    }

    [Fact]
    public void Parse_VariantOfAProcessAgent_SetsModelAndMergesEnvOverTheAgents()
    {
        var variants = Parse(Process).Variants;

        Assert.Equal("openai:gpt-4o", variants[1].Agent.Model.ToString());
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "terse", ["LEVEL"] = "1", ["EXTRA"] = "x" }, variants[1].Agent.Own!.Environment);
        Assert.Equal(["python3", "agent.py"], variants[1].Agent.Own!.Command);
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "careful", ["LEVEL"] = "1" }, variants[0].Agent.Own!.Environment);
    }

    [Fact]
    public void Parse_OwnAgentScenario_TakesAnyToolCounterAndStatePathAndVars()
    {
        var scenario = Parse(Process).Scenarios.Single();

        Assert.Equal(("lookup", "A1"), (scenario.Expect.ToolsCalled.Single().Name, scenario.Expect.ToolsCalled.Single().Arguments["id"].GetString()));
        Assert.Equal(["refund"], scenario.Expect.ToolsNotCalled);
        Assert.Equal(new Dictionary<string, int> { ["retries"] = 0, ["cache_hits"] = 2 }, scenario.Expect.Counters);
        Assert.Equal(["orders.A1.status", "items[0].id"], scenario.Expect.State.Keys);
        Assert.Equal(("\"A1\"", "10"), (scenario.Vars["order_id"].GetRawText(), scenario.Vars["amount"].GetRawText()));
    }

    [Theory]
    [InlineData("expect: { tools: { called: [{ name: lookup }] } }", "'lookup' is not one of the agent's tools")]
    [InlineData("expect: { tools: { not_called: lookup } }", "'lookup' is not one of the agent's tools")]
    [InlineData("expect: { counters: { cache_hits: 2 } }", "unknown counter 'cache_hits'")]
    [InlineData("expect: { state: { \"items[0].id\": x } }", "'items[0].id' is not a state path")]
    public void Parse_NamesOnlyAnOwnAgentMayUse_AreRefusedForTheBuiltInRuntime(string expect, string message)
    {
        var line = "    expect: { tools: { called: [{ name: orders.lookup_order }] } }";
        var error = Assert.Throws<SuiteException>(() => Parse(BuiltIn.Replace(line, "    " + expect, StringComparison.Ordinal)));

        Assert.Equal(9, error.Line);
        Assert.Contains(message, error.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, int, int, string> Errors() => new()
    {
        { "command and dotnet", Process.Replace("  cwd: sub\n", "  cwd: sub\n  dotnet: { type: X.Y }\n", StringComparison.Ordinal), 3, 3, "an agent is one of a process (command: [...]), a .NET type (dotnet: { assembly, type }) or a service (http: { url, … }), not several." },
        { "a service and a process", Served.Replace("  http:", "  command: [node, agent.mjs]\n  http:", StringComparison.Ordinal), 3, 3, "an agent is one of a process (command: [...]), a .NET type (dotnet: { assembly, type }) or a service (http: { url, … }), not several." },
        { "env on a served agent", Served.Replace("  http:", "  env: { A: b }\n  http:", StringComparison.Ordinal), 3, 3, "'env' is for process agents (command: [...]); a served agent's are agent.http.start.env." },
        { "a body placeholder the harness does not fill", Served.Replace("{{input}}", "{{inptu}}", StringComparison.Ordinal), 5, 22, "body has {{inptu}}, which the harness does not fill in: use {{input}}" },
        { "a body with no output path", Served.Replace("    output: \"$.reply\"\n", string.Empty, StringComparison.Ordinal), 5, 5, "agent.http.body needs output: the JSON path of the answer" },
        { "a session the body never sends", Served.Replace(", session_id: \"{{session}}\"", string.Empty, StringComparison.Ordinal), 7, 5, "agent.http.session reads a session id to send back, but the body never sends it" },
        { "a protocol with a body", Served.Replace("  http:\n", "  http:\n    protocol: openai-responses\n", StringComparison.Ordinal), 6, 5, "agent.http.body is for an endpoint of your own; protocol: openai-responses says what is sent and read." },
        { "an unknown protocol", Served.Replace("    body:", "    protocol: a2a\n    body:", StringComparison.Ordinal), 5, 15, "agent.http.protocol 'a2a' is not one of openai-responses, openai-chat" },
        { "an output that is no JSON path", Served.Replace("\"$.reply\"", "reply", StringComparison.Ordinal), 6, 13, "output 'reply' is not a JSON path the harness reads" },
        { "an unset variable in the service's URL", Served.Replace("127.0.0.1:5077", "${EVALH_TEST_UNSET_SERVICE_HOST}", StringComparison.Ordinal), 4, 10, "agent.http.url uses ${EVALH_TEST_UNSET_SERVICE_HOST}, which is not set: the service is called in a replay too" },
        { "a start with no command", Served.Replace("  http:\n", "  http:\n    start: { ready: \"http://127.0.0.1:5077/health\" }\n", StringComparison.Ordinal), 4, 12, "needs 'command'" },
        { "no model for a .NET agent", Dotnet.Replace("  model: openai:gpt-4o-mini\n", string.Empty, StringComparison.Ordinal), 3, 3, "A .NET agent needs 'model'" },
        { "a judge with no model under an agent with none", Process.Replace("  model: openai:gpt-4o-mini\n", string.Empty, StringComparison.Ordinal).Replace("    expect:\n", "    expect:\n      judge: { rubric: Polite. }\n", StringComparison.Ordinal), 17, 14, "the agent names no model (it chooses its own), so the judge needs one" },
        { "command as a scalar", Process.Replace("[python3, agent.py]", "python3 agent.py", StringComparison.Ordinal), 4, 12, "command is a list: the program and its arguments" },
        { "empty command", Process.Replace("[python3, agent.py]", "[]", StringComparison.Ordinal), 4, 12, "command is empty" },
        { "empty program", Process.Replace("[python3, agent.py]", "['', agent.py]", StringComparison.Ordinal), 4, 12, "command is empty" },
        { "missing cwd", Process.Replace("cwd: sub", "cwd: nowhere", StringComparison.Ordinal), 6, 8, "nowhere' does not exist (cwd is relative to the suite)." },
        { "zero timeout", Process.Replace("timeout_s: 30", "timeout_s: 0", StringComparison.Ordinal), 7, 14, "timeout_s must be more than 0, not 0." },
        { "EVALH_ variable", Process.Replace("MODE: careful", "EVALH_CASE_ID: x", StringComparison.Ordinal), 5, 10, "'EVALH_CASE_ID' is set by the harness for every case; choose another name." },
        { "base URL variable", Process.Replace("MODE: careful", "OPENAI_BASE_URL: http://x", StringComparison.Ordinal), 5, 10, "'OPENAI_BASE_URL' is set by the harness" },
        { "harness variable in a variant", Process.Replace("MODE: terse", "ANTHROPIC_BASE_URL: x", StringComparison.Ordinal), 12, 12, "'ANTHROPIC_BASE_URL' is set by the harness" },
        { "vars that are not a mapping on an own agent's variant", Process.Replace("    model: openai:gpt-4o\n", "    model: openai:gpt-4o\n    vars: [a, b]\n", StringComparison.Ordinal), 12, 11, "vars" },
        { "vars on the built-in runtime's variant", "suite: b\nagent: { model: openai:gpt-4o-mini, system_prompt: Help., tools: [] }\nvariants:\n  - name: a\n    vars: { x: 1 }\nscenarios:\n  - name: s\n    input: hi\n", 5, 5, "unknown key 'vars' in a variant." },
        { "tool the agent does not declare", Process.Replace("  timeout_s: 30\n", "  timeout_s: 30\n  tools: [lookup, refund]\n", StringComparison.Ordinal).Replace("name: lookup", "name: mail", StringComparison.Ordinal), 19, 33, "'mail' is not one of the agent's tools, so it can never be called." },
        { "env on a .NET agent", Dotnet.Replace("  dotnet:", "  env: { A: b }\n  dotnet:", StringComparison.Ordinal), 4, 3, "'env' is for process agents (command: [...]); a .NET agent runs in the harness's process." },
        { "env on a .NET agent's variant", Dotnet.Replace("scenarios:", "variants:\n  - name: a\n    env: { A: b }\nscenarios:", StringComparison.Ordinal), 7, 5, "env is for process agents (command: [...])." },
        { "assembly without type", Dotnet.Replace("{ type: EvalHarness.Tests.Core.CannedAgent }", "{ assembly: bin/Agent.dll }", StringComparison.Ordinal), 4, 11, "dotnet.assembly needs dotnet.type" },
        { "missing assembly", Dotnet.Replace("{ type:", "{ assembly: bin/Agent.dll, type:", StringComparison.Ordinal), 4, 23, "Agent.dll' does not exist. Build the agent first (dotnet build), or fix the path (it is relative to the suite)." },
        { "type in no loaded assembly", Dotnet.Replace("EvalHarness.Tests.Core.CannedAgent", "No.Such.Agent", StringComparison.Ordinal), 4, 19, "no loaded assembly has the type 'No.Such.Agent'." },
        { "type that is no agent", Dotnet.Replace("EvalHarness.Tests.Core.CannedAgent", "System.String", StringComparison.Ordinal), 4, 19, "'System.String' must be a public, non-abstract class that implements EvalHarness.IAgentUnderTest" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_BadOwnAgent_FailsAtTheLineAndColumn(string what, string yaml, int line, int column, string message)
    {
        var error = Assert.Throws<SuiteException>(() => Parse(yaml));

        Assert.True((SuitePath, line, column) == (error.File, error.Line, error.Column), $"{what}: {error.Message}");
        Assert.Contains(message, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DotnetTypeAmongLoadedAssemblies_CreatesAFreshInstancePerCase()
    {
        var agent = Parse(Dotnet).Variants[0].Agent;

        var own = Assert.IsType<OwnAgent>(agent.Own);
        Assert.Equal("dotnet: EvalHarness.Tests.Core.CannedAgent", own.Description);
        var first = Assert.IsType<CannedAgent>(own.Create());
        Assert.NotSame(first, own.Create());
    }

    [Fact]
    public void Parse_DotnetWithoutType_IsAnAgentGivenInCode()
    {
        var own = Parse(Dotnet.Replace("{ type: EvalHarness.Tests.Core.CannedAgent }", "{}", StringComparison.Ordinal)).Variants[0].Agent.Own!;

        Assert.Equal("dotnet: given in code", own.Description);
        var error = Assert.Throws<InvalidOperationException>(own.Create);
        Assert.Contains("this suite's agent is given in code", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DotnetTypeMissingFromItsAssembly_ListsTheAgentsItHas()
    {
        var assembly = typeof(CannedAgent).Assembly.Location;

        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(SuitePath, Dotnet.Replace("{ type:", $"{{ assembly: {assembly}, type:", StringComparison.Ordinal)
            .Replace("EvalHarness.Tests.Core.CannedAgent", "No.Such.Agent", StringComparison.Ordinal), new SuiteLoadOptions { AllowOutside = true }));

        Assert.Equal(4, error.Line);
        Assert.Contains($"has no type 'No.Such.Agent'. Its agents: {typeof(CannedAgent).FullName}", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DotnetAssemblyThatIsNotDotnet_SaysSo()
    {
        _temp.Write("bin/Agent.dll", "not an assembly");

        var error = Assert.Throws<SuiteException>(() => Parse(Dotnet.Replace("{ type:", "{ assembly: bin/Agent.dll, type:", StringComparison.Ordinal)));

        Assert.Equal((4, 23), (error.Line, error.Column));
        Assert.Contains("Agent.dll' is not a .NET assembly", error.Detail, StringComparison.Ordinal);
    }
}
