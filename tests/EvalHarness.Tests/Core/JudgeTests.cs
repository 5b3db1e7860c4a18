using EvalHarness.Core.Assertions;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

public sealed class JudgeTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly AgentReport Run = new() { Outcome = "completed", Reason = "done", Output = "I refunded $42.00 for order A100.", Steps = 2 };

    private static Task<EvalHarness.Core.Results.AssertionVerdict> Ask(string answer, double minScore, TestChatClient? client = null)
    {
        client ??= TestChatClient.Scripted(TestChatClient.Text(answer));
        return Judge.ScoreAsync(client, new JudgeExpectation("Confirms the refund with the amount.", minScore, new ModelRef("openai", "judge-model")), new Scenario("s", [], "Refund A100", new Expectations(), 1), Run, [], Ct);
    }

    [Fact]
    public async Task Score_AboveTheThreshold_PassesWithTheJudgesReason()
    {
        var client = TestChatClient.Scripted(TestChatClient.Text("""{"score": 0.85, "reason": "Names the amount."}"""));

        var verdict = await Ask(string.Empty, 0.7, client);

        Assert.Equal(("judge", true, "Scored 0.85 (at least 0.7): Names the amount."), (verdict.Kind, verdict.Passed, verdict.Reason));
        var request = Assert.Single(client.Requests);
        Assert.Equal(Judge.Instruction, request[0].Text);
        Assert.Contains("Final answer: I refunded $42.00 for order A100.", request[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_BelowTheThreshold_Fails() =>
        Assert.Equal("Scored 0.4, below 0.7: Vague.", (await Ask("```json\n{\"score\": 0.4, \"reason\": \"Vague.\"}\n```", 0.7)).Reason);

    [Fact]
    public async Task Score_AnswerThatIsNotAScore_FailsAndQuotesIt() =>
        Assert.Equal("The judge's answer is not the JSON score it was asked for: \"Looks good to me!\"", (await Ask("Looks good to me!", 0.7)).Reason);
}
