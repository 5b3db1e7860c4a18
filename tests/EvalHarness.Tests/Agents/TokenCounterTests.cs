using EvalHarness.Agents.Context;
using EvalHarness.Agents.Runtime;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Agents;

/// <summary>Tokens counted with the model's own tokenizer, for compaction and for the budget before a call.</summary>
public sealed class TokenCounterTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("gpt-4o-mini", "o200k_base")]
    [InlineData("openai:gpt-4.1-nano", "o200k_base")]
    [InlineData("o3-mini", "o200k_base")]
    [InlineData("gpt-5", "o200k_base")]
    [InlineData("gpt-4-turbo", "cl100k_base")]
    [InlineData("gpt-3.5-turbo", "cl100k_base")]
    [InlineData("claude-haiku-4-5", TokenCounter.Estimate)]
    [InlineData("gpt-4oops", TokenCounter.Estimate)]
    public void For_AModel_PicksItsEncoding(string model, string encoding) =>
        Assert.Equal(encoding, TokenCounter.For(model).Encoding);

    [Fact]
    public void Count_UsesTheTokenizer_WhereTheEstimateWouldBeWrong()
    {
        // "hello world" is two tokens in both OpenAI encodings; four characters a token would say three.
        Assert.Equal(2, TokenCounter.For("gpt-4o").Count("hello world"));
        Assert.Equal(2, TokenCounter.For("gpt-4").Count("hello world"));
        Assert.Equal(3, TokenCounter.For("claude-haiku-4-5").Count("hello world"));
        // A run of digits: the tokenizers cut them in threes, far more tokens than the estimate's one per four characters.
        Assert.Equal(34, TokenCounter.For("gpt-4").Count(string.Concat(Enumerable.Repeat("1234567890", 10))));
    }

    [Theory]
    [InlineData(100, false)] // fewer bytes than the limit: under it, no tokenizer needed
    [InlineData(40, false)]  // more bytes (about 60) than the limit, fewer tokens (about 12): the tokenizer says under
    [InlineData(8, true)]    // more tokens than the limit
    public void Exceeds_AgreesWithTheTokenizersCount(int limit, bool expected)
    {
        var counter = TokenCounter.For("gpt-4o");
        ChatMessage[] messages = [new(ChatRole.User, "hello world, hello world, hello world, hello world, hello")];

        Assert.Equal(expected, counter.Exceeds(messages, limit));
        Assert.Equal(counter.Count(messages) > limit, counter.Exceeds(messages, limit));
    }

    [Fact]
    public async Task PromptAlreadyOverTheBudget_EndsTheRunBeforeTheCall()
    {
        var client = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "done"))) };
        var options = new AgentOptions("gpt-4o-mini", "Be brief.", [], new AgentLimits(maxSteps: 3, maxTokens: 50));

        var run = await new Agent(client, options).RunAsync(string.Join(' ', Enumerable.Repeat("word", 200)), Ct);

        Assert.Equal(AgentOutcome.BudgetExceeded, run.Outcome);
        Assert.Empty(client.Requests);
        Assert.Contains("tokens by o200k_base) would take the run past its budget of 50 tokens", run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptOverTheBudget_ForAModelWithNoKnownTokenizer_IsStillSent()
    {
        var client = new TestChatClient { OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "done"))) };
        var options = new AgentOptions("claude-haiku-4-5", "Be brief.", [], new AgentLimits(maxSteps: 3, maxTokens: 50));

        var run = await new Agent(client, options).RunAsync(string.Join(' ', Enumerable.Repeat("word", 200)), Ct);

        Assert.Equal(AgentOutcome.Completed, run.Outcome);
        Assert.Single(client.Requests);
    }
}
