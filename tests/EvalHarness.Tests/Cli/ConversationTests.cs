using System.Text.Json;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>Scripted conversations: each user turn's reply checked on its own, the scenario's expect at the end.</summary>
public sealed class ConversationTests : CliTest
{
    /// <summary>The conversations example suite, copied so a test can change it, with its script and cassettes beside it.</summary>
    private string CopySuite(Func<string, string> change)
    {
        RepoPaths.CopyTree(RepoPaths.Suites, Temp.Combine("suites"));
        var suite = Temp.Combine("suites", "conversations.yaml");
        File.WriteAllText(suite, change(File.ReadAllText(suite)));
        return suite;
    }

    private JsonElement Case(string id)
    {
        var results = Path.Combine(Assert.Single(Directory.GetDirectories(Temp.Combine("reports", "runs"))), "results.json");
        return JsonDocument.Parse(File.ReadAllText(results)).RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("cassetteId").GetString() == id);
    }

    [Fact]
    public async Task ASecondTurnExpectationThatDoesNotHold_FailsTheCase_WithThatTurnsReason()
    {
        var suite = CopySuite(yaml => yaml.Replace("output: { contains: [shipped] }", "output: { contains: [delivered] }", StringComparison.Ordinal));

        var exit = await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--filter", "corrects-a-wrong-order-id");

        Assert.Equal(1, exit);
        var failed = Case("conversations/default/corrects-a-wrong-order-id/t1").GetProperty("verdicts").EnumerateArray().Where(v => !v.GetProperty("passed").GetBoolean()).ToList();
        var verdict = Assert.Single(failed);
        Assert.Equal("turn 2 output.contains", verdict.GetProperty("kind").GetString());
        Assert.StartsWith("Turn 2: The output does not contain \"delivered\".", verdict.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("Thanks! Order A101", verdict.GetProperty("reason").GetString(), StringComparison.Ordinal); // turn 2's reply, not turn 1's
    }

    [Fact]
    public async Task EachTurnIsCheckedOnItsOwnReply_NotOnTheWholeConversation()
    {
        // Turn 1's reply does not mention a credit (turn 2's does), and it called no issue_credit (turn 2 did).
        var suite = CopySuite(yaml => yaml.Replace(
            "          tools: { called: [{ name: orders.lookup_order }], not_called: [orders.refund_order] }",
            "          output: { contains: [credit added] }\n          tools: { called: [{ name: orders.issue_credit }] }",
            StringComparison.Ordinal));

        await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--filter", "refund-changed-to-credit");

        var failed = Case("conversations/default/refund-changed-to-credit/t1").GetProperty("verdicts").EnumerateArray()
            .Where(v => !v.GetProperty("passed").GetBoolean()).Select(v => v.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["turn 1 output.contains", "turn 1 tools.called"], failed);
    }

    [Fact]
    public async Task AConversationThatStopsEarly_FailsTheTurnsItNeverReached()
    {
        // Two steps are not enough for the conversation's four model calls: it stops in turn 2, and turn 2 is not reached as a completed reply.
        var suite = CopySuite(yaml => yaml.Replace("limits: { max_steps: 8 }", "limits: { max_steps: 2 }", StringComparison.Ordinal));

        await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--filter", "confirms-before-refunding");

        var verdicts = Case("conversations/default/confirms-before-refunding/t1").GetProperty("verdicts").EnumerateArray()
            .ToDictionary(v => v.GetProperty("kind").GetString()!, v => (Passed: v.GetProperty("passed").GetBoolean(), Reason: v.GetProperty("reason").GetString()!));
        Assert.True(verdicts["turn 1 output.contains"].Passed);
        Assert.False(verdicts["turn 2 outcome"].Passed);
        Assert.Contains("max_steps", verdicts["turn 2 outcome"].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    conversation:\n      - user: \"Where is my order A110?\"", "    input: hi\n    conversation:\n      - user: \"Where is my order A110?\"", "has both input and conversation")]
    [InlineData("          output: { contains: [A110] }", "          state: { orders.A110.status: shipped }", "'state' is checked once for the whole conversation, not per turn: move it to the scenario's expect")]
    [InlineData("      - user: \"Sorry, I meant A101.\"", "      - usr: \"Sorry, I meant A101.\"", "unknown key 'usr' in a conversation turn. Did you mean 'user'?")]
    public async Task AMalformedConversation_IsAnInputErrorAtItsLine(string from, string to, string message)
    {
        var suite = CopySuite(yaml =>
        {
            Assert.Contains(from, yaml, StringComparison.Ordinal);
            var at = yaml.IndexOf(from, StringComparison.Ordinal);
            return yaml[..at] + to + yaml[(at + from.Length)..];
        });

        var exit = await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Contains(message, Error.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"conversations\.yaml:\d+:\d+: ", Error.ToString());
        Assert.Single(Error.ToString().Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal)); // one mistake, one error
    }

    [Fact]
    public async Task ASimulatedUser_ReplaysTheSameDialogue_FromACassetteOfItsOwn()
    {
        var suite = CopySuite(yaml => yaml);
        string[] args = ["run", suite, "--cassettes", RepoPaths.Cassettes, "--filter", "simulated-customer-wants-credit"];

        Assert.Equal(0, await Evalh([.. args, "--reports", Temp.Combine("reports")]));
        var first = Case("conversations/default/simulated-customer-wants-credit/t1");
        Directory.Move(Temp.Combine("reports"), Temp.Combine("first"));
        Assert.Equal(0, await Evalh([.. args, "--reports", Temp.Combine("reports")]));
        var second = Case("conversations/default/simulated-customer-wants-credit/t1");

        // The same words on both sides, turn by turn, and the same end.
        Assert.Equal(first.GetProperty("dialogue").GetRawText(), second.GetProperty("dialogue").GetRawText());
        Assert.Equal(first.GetProperty("transcript").GetRawText(), second.GetProperty("transcript").GetRawText());
        var dialogue = second.GetProperty("dialogue");
        Assert.Equal("user", dialogue.GetProperty("endedBy").GetString());
        Assert.Equal(["Hi, the mug set I ordered arrived chipped. What can you do?", "It's A100.", "Store credit, please."],
            dialogue.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("user").GetString()));
        Assert.EndsWith("###DONE###", dialogue.GetProperty("closing").GetString(), StringComparison.Ordinal);

        // The simulator's calls are in their own cassette, with its instructions; the agent's cassette has none of them.
        var folder = Path.Combine(RepoPaths.Cassettes, "conversations", "default");
        var user = File.ReadAllText(Path.Combine(folder, "simulated-customer-wants-credit", "t1", "user.json"));
        var agent = File.ReadAllText(Path.Combine(folder, "simulated-customer-wants-credit.t1.json"));
        Assert.Equal(4, JsonDocument.Parse(user).RootElement.GetProperty("interactions").GetArrayLength());
        Assert.Contains("You play a user talking to an AI assistant", user, StringComparison.Ordinal);
        Assert.DoesNotContain("You play a user talking to an AI assistant", agent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASimulatedUserWhoseInstructionsChanged_NoLongerMatchesItsCassette()
    {
        var suite = CopySuite(yaml => yaml.Replace("Be polite and brief.", "Be curt.", StringComparison.Ordinal));

        var exit = await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--filter", "simulated-customer-wants-credit");

        Assert.Equal(2, exit);
        var error = Case("conversations/default/simulated-customer-wants-credit/t1").GetProperty("error").GetString();
        Assert.Contains("conversations/default/simulated-customer-wants-credit/t1/user", error, StringComparison.Ordinal);
        Assert.Contains("Be curt.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASimulatedUserOutOfTurns_EndsTheConversation_AndTheDialogueExpectationSaysSo()
    {
        // With two turns the customer never gets to ask for the credit.
        var suite = CopySuite(yaml => yaml.Replace("max_turns: 5", "max_turns: 2", StringComparison.Ordinal));

        var exit = await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--filter", "simulated-customer-wants-credit");

        Assert.Equal(1, exit);
        var result = Case("conversations/default/simulated-customer-wants-credit/t1");
        Assert.Equal("max_turns", result.GetProperty("dialogue").GetProperty("endedBy").GetString());
        Assert.Equal(2, result.GetProperty("dialogue").GetProperty("turns").GetArrayLength());
        var failed = result.GetProperty("verdicts").EnumerateArray().Where(v => !v.GetProperty("passed").GetBoolean())
            .ToDictionary(v => v.GetProperty("kind").GetString()!, v => v.GetProperty("reason").GetString()!);
        Assert.Equal(["dialogue.ended_by", "tools.called"], failed.Keys);
        Assert.Equal("Expected the conversation to end by the user (its stop marker), but it ended by max_turns (the simulated user's limit) after 2 user turn(s).", failed["dialogue.ended_by"]);
    }

    [Theory]
    [InlineData("    user:\n      model: openai:gpt-4o-mini", "    conversation: [hi]\n    user:\n      model: openai:gpt-4o-mini", "has both a scripted conversation and a simulated user")]
    [InlineData("      max_turns: 5", "      max_turns: 51", "a simulated conversation may have at most 50 turns")]
    [InlineData("      stop: \"###DONE###\"", "      stop: \" \"", "stop is empty")]
    [InlineData("      model: openai:gpt-4o-mini\n      instructions", "      model: mistral:large\n      instructions", "provider 'mistral' is not supported")]
    [InlineData("      max_turns: 5\n", "      max_turn: 5\n", "unknown key 'max_turn' in user (a simulated user). Did you mean 'max_turns'?")]
    [InlineData("      dialogue: { ended_by: user, max_turns: 4 }", "      dialogue: { ended_by: goal }", "ended_by must be one of user, script, max_turns, agent, not 'goal'")]
    [InlineData("      dialogue: { ended_by: user, max_turns: 4 }", "      dialogue: { ended_by: script }", "has a simulated user, so its dialogue cannot end by script: expect ended_by: user or max_turns.")]
    [InlineData("      dialogue: { ended_by: user, max_turns: 4 }", "      dialogue: { min_turns: 5, max_turns: 2 }", "expects a dialogue of at least 5 and at most 2 user turns, which no conversation can take.")]
    [InlineData("    expect:\n      tools: { max_calls: 2 }", "    expect:\n      tools: { max_calls: 2 }\n      dialogue: { ended_by: user }", "is scripted, so its dialogue cannot end by user (a simulated user's ending): expect ended_by: script.")]
    public async Task AMalformedSimulatedUser_IsAnInputErrorAtItsLine(string from, string to, string message) =>
        await AMalformedConversation_IsAnInputErrorAtItsLine(from, to, message);

    [Fact]
    public async Task ADialogueExpectationOnASingleInput_IsAnInputError()
    {
        var suite = Temp.Write("suites/one.yaml", """
            suite: one
            agent: { model: openai:gpt-4o-mini, system_prompt: "Help.", tools: [] }
            scenarios:
              - name: single
                input: hi
                expect:
                  dialogue: { max_turns: 2 }
            """);

        var exit = await Evalh("run", suite, "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Contains("one.yaml:6:5: Scenario 'single' expects a dialogue but is one input", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReport_ShowsEachDialogueTurnByTurn_AndTheConversationFigures()
    {
        var suite = CopySuite(yaml => yaml.Replace("output: { contains: [shipped] }", "output: { contains: [delivered] }", StringComparison.Ordinal));

        await Evalh("run", suite, "--cassettes", RepoPaths.Cassettes, "--reports", Temp.Combine("reports"), "--filter", "corrects-*", "--filter", "simulated-customer-wants-credit");

        var folder = Assert.Single(Directory.GetDirectories(Temp.Combine("reports", "runs")));
        var html = File.ReadAllText(Path.Combine(folder, "report.html"));
        // The failed case's dialogue: turn 1 passed, turn 2 failed with its reason beside its own reply.
        Assert.Contains("<li class=\"turn\"><div class=\"turn-head\">Turn 1 · 2 step(s) · orders.lookup_order</div><div class=\"msg user\"><span class=\"role\">user</span>Where is my order A110?</div>", html, StringComparison.Ordinal);
        Assert.Contains("<li class=\"turn failed\"><div class=\"turn-head\">Turn 2 · 2 step(s) · orders.lookup_order</div><div class=\"msg user\"><span class=\"role\">user</span>Sorry, I meant A101.</div>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"fail-cell\">fail</span> Turn 2: The output does not contain &quot;delivered&quot;.", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"role\">user (closing, not sent)</span>Thank you, that&#x27;s all I needed. ###DONE###", html, StringComparison.Ordinal);
        Assert.Contains("<details id=\"conversations\" open><summary>Conversations</summary>", html, StringComparison.Ordinal);

        var summary = File.ReadAllText(Path.Combine(folder, "summary.md"));
        Assert.Contains("| default/corrects-a-wrong-order-id | 0/1 | 0% | 2 | 2 | 1 × script |", summary, StringComparison.Ordinal);
        Assert.Contains("| default/simulated-customer-wants-credit | 1/1 | 100% | 3 | 1.67 | 1 × user |", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheExampleSuite_RecordsFromItsScript_IntoTheCassettesOnRecord_TheSimulatedUsersIncluded()
    {
        var suite = CopySuite(yaml => yaml);
        var cassettes = Temp.Combine("recorded");

        Assert.Equal(0, await Evalh("record", suite, "--upstream", "scripted", "--cassettes", cassettes, "--reports", Temp.Combine("reports")));

        // Every cassette of the suite, the simulated users' own among them, holds the same interactions as the committed one.
        var committed = Path.Combine(RepoPaths.Cassettes, "conversations");
        var files = Directory.GetFiles(committed, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(committed, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Directory.GetFiles(Path.Combine(cassettes, "conversations"), "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(cassettes, "conversations"), f)).Order(StringComparer.Ordinal));
        Assert.Contains(Path.Combine("default", "simulated-customer-wants-credit", "t1", "user.json"), files);
        foreach (var file in files)
        {
            string Interactions(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, file))).RootElement.GetProperty("interactions").GetRawText();
            Assert.True(Interactions(committed) == Interactions(Path.Combine(cassettes, "conversations")), $"{file} differs from the committed cassette");
        }
    }

    [Fact]
    public async Task RecordingASimulatedUserWithoutItsScript_SaysWhereItsMessagesGo()
    {
        var suite = CopySuite(yaml => yaml);
        var script = Temp.Combine("suites", "scripts", "conversations.yaml");
        var text = File.ReadAllText(script);
        var from = text.IndexOf("  simulated-customer-wants-credit:\n    user:\n", StringComparison.Ordinal);
        var to = text.IndexOf("    agent:\n", from, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, "the script still has the simulated user's turns where the test removes them");
        File.WriteAllText(script, text[..from] + "  simulated-customer-wants-credit:\n" + text[to..]);

        var exit = await Evalh("record", suite, "--upstream", "scripted", "--cassettes", Temp.Combine("recorded"), "--reports", Temp.Combine("reports"), "--filter", "simulated-customer-wants-credit");

        Assert.Equal(2, exit);
        Assert.Contains("give the scenario its simulated user's messages as a conversation of their own: `<scenario>: { agent: [...], user: [{ text: \"...\" }] }`",
            Case("conversations/default/simulated-customer-wants-credit/t1").GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
