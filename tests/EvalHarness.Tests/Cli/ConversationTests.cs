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
    [InlineData("          output: { contains: [A110] }", "          state: { orders.A110.status: shipped }", "unknown key 'state' in a turn's expect")]
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
    }
}
