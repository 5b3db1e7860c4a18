using System.Text.RegularExpressions;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>One load reports every mistake it can find, each at its file, line and column; a script's tool names are checked.</summary>
public sealed class SuiteErrorListTests : CliTest
{
    private string[] ErrorLines => Error.ToString().Trim().Split('\n');

    private const string Head = """
        suite: kb
        agent:
          model: openai:gpt-4o-mini
          system_prompt: Answer from the knowledge base.
          tools: [docs.search, docs.read]
        fixtures:
          documents: [{ id: returns, title: Returns, text: Items can be returned within 30 days. }]
        scenarios:

        """;

    private string Run(string scenarios) => Temp.Write("kb.yaml", Head + scenarios);

    [Fact]
    public async Task Run_ThreeMistakesInThreeScenarios_ReportsAllThreeWithFileLineColumn()
    {
        var suite = Run("""
              - name: one
                inptu: What is the returns window?
              - name: two
                input: And for sale items?
                expect: { outcom: completed }
              - name: three
                input: Who pays for shipping?
                expect: { max_steps: many }
            """);

        var exit = await Evalh("run", suite, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Equal(
            [
                $"error: {suite}:10:5: unknown key 'inptu' in a scenario. Did you mean 'input'?",
                $"error: {suite}:13:15: unknown key 'outcom' in expect. Did you mean 'outcome'?",
                $"error: {suite}:16:26: max_steps must be a whole number, not 'many'.",
            ],
            ErrorLines);
    }

    [Fact]
    public async Task Run_MistakesInTheAgentAndInOneExpectBlock_AreAllReportedInOneRun()
    {
        var suite = Temp.Write("kb.yaml", """
            suite: kb
            agent:
              model: openai:gpt-4o-mini
              system_prompt: Answer from the knowledge base.
              tools: [docs.serch, docs.raed]
              limts: { max_steps: 6 }
            scenarios:
              - name: one
                input: What is the returns window?
                expect:
                  output: { contain: [30 days] }
                  tools: { called: [{ name: docs.search }] }
                  counters: { retrys: 1 }
                  outcome: complete
            """);

        var exit = await Evalh("run", suite, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Equal(
            [
                $"error: {suite}:5:11: unknown tool 'docs.serch'. Did you mean 'docs.search'?",
                $"error: {suite}:5:23: unknown tool 'docs.raed'. Did you mean 'docs.read'?",
                $"error: {suite}:6:3: unknown key 'limts' in agent. Did you mean 'limits'?",
                $"error: {suite}:11:17: unknown key 'contain' in expect.output. Did you mean 'contains'?",
                $"error: {suite}:13:19: unknown counter 'retrys'. Did you mean 'retries'?",
                $"error: {suite}:14:16: unknown outcome 'complete'. Did you mean 'completed'?",
            ],
            ErrorLines);
    }

    [Fact]
    public async Task Run_APromptPathWithoutItsExtension_IsReadAsAFileNotSentAsThePrompt()
    {
        var suite = Temp.Write("kb.yaml", Head.Replace("system_prompt: Answer from the knowledge base.", "system_prompt: prompts/kb", StringComparison.Ordinal) + "  - name: one\n    input: x\n");

        var exit = await Evalh("run", suite, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Equal([$"error: {suite}:4:18: the prompt file 'prompts/kb' does not exist (looked in {Temp.Path})."], ErrorLines);
    }

    [Fact]
    public async Task Run_MistakesInTheSuiteAndAnInclude_ReportsBothFilesInOneRun()
    {
        Temp.Write("more.yaml", "scenarios:\n  - name: two\n    input: x\n    expect: { tools: { called: [{ name: docs.serch }] } }\n");
        var suite = Temp.Write("kb.yaml", Head.Replace("suite: kb\n", "suite: kb\ninclude: [more.yaml]\ntrials: 0\n", StringComparison.Ordinal) + "  - name: one\n    input: x\n");

        var exit = await Evalh("run", suite, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Equal(2, ErrorLines.Length);
        Assert.StartsWith($"error: {suite}:3:9: trials must be at least 1, not 0.", ErrorLines[0], StringComparison.Ordinal);
        Assert.Matches(@"^error: .*more\.yaml:4:41: 'docs\.serch' is not one of the agent's tools, so it can never be called\. Did you mean 'docs\.search'\?$", ErrorLines[1]);
    }

    [Fact]
    public async Task Run_MisspeltRequiredKey_IsOneErrorNotTwo()
    {
        var suite = Temp.Write("kb.yaml", Head.Replace("  system_prompt:", "  sytem_prompt:", StringComparison.Ordinal) + "  - name: one\n    input: x\n");

        var exit = await Evalh("run", suite, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Equal([$"error: {suite}:4:3: unknown key 'sytem_prompt' in agent. Did you mean 'system_prompt'?"], ErrorLines);
    }

    [Fact]
    public async Task Run_MoreThanTwentyMistakes_ListsTwentyThenHowManyMore()
    {
        var suite = Run(string.Concat(Enumerable.Range(1, 25).Select(i => $"  - name: s{i}\n    inptu: x\n")));

        var exit = await Evalh("run", suite, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Equal(21, ErrorLines.Length);
        Assert.All(ErrorLines[..20], line => Assert.Matches($@"^error: {Regex.Escape(suite)}:\d+:5: unknown key 'inptu'", line));
        Assert.Equal("error: and 5 more errors; fix these and load the suite again.", ErrorLines[20]);
    }

    [Fact]
    public async Task Record_ScriptCallsSearchInsteadOfSearchDocs_ExitsTwoWithDidYouMean()
    {
        var suite = Run("  - name: one\n    input: What is the returns window?\n  - name: two\n    input: x\n");
        var script = Temp.Write("scripts/kb.yaml", """
            default:
              one:
                - tools: [{ search: { query: returns } }]
                - text: 30 days.
              two:
                - tools: [{ read_doc: { doc_id: returns } }, { read: { doc_id: returns } }]
                - text: 30 days.
            """);

        var exit = await Evalh("record", suite, "--upstream", "scripted", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Equal(2, ErrorLines.Length);
        Assert.StartsWith($"error: {script}:3:17: the agent has no tool 'search': a script calls tools by the names the model sends, here read_doc, search_docs. Did you mean 'search_docs'?", ErrorLines[0], StringComparison.Ordinal);
        Assert.StartsWith($"error: {script}:6:52: the agent has no tool 'read'", ErrorLines[1], StringComparison.Ordinal);
        Assert.Contains("Did you mean 'read_doc'?", ErrorLines[1], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Temp.Combine("cassettes")));
    }

    [Fact]
    public async Task Record_ScriptCallsAToolByItsQualifiedName_SendsItsWireName()
    {
        var suite = Run("""
              - name: one
                input: What is the returns window?
                expect:
                  output: { contains: [30 days] }
                  tools: { called: [{ name: docs.search }] }
                  counters: { unknown_tool_calls: 0 }
            """);
        Temp.Write("scripts/kb.yaml", "default:\n  one:\n    - tools: [{ docs.search: { query: returns } }]\n    - text: Within 30 days.\n");

        var exit = await Evalh("record", suite, "--upstream", "scripted", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"));

        Assert.True(exit == 0, Error.ToString() + Out);
        var cassette = File.ReadAllText(Directory.GetFiles(Temp.Combine("cassettes"), "*.json", SearchOption.AllDirectories).Single());
        Assert.Contains("search_docs", cassette, StringComparison.Ordinal);
        Assert.DoesNotContain("docs.search", cassette, StringComparison.Ordinal);
    }
}
