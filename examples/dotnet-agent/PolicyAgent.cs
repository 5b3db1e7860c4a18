using System.ComponentModel;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace ExpenseDesk;

/// <summary>
/// The expense policy assistant, a Microsoft Agent Framework agent as a team writes one: an <see cref="AIAgent"/> of its
/// own around a <see cref="ChatClientAgent"/> with instructions and one tool, <c>get_expense_limit(category)</c>
/// (<see cref="ChatClientAgent"/> itself is sealed, so a named agent type delegates to one). It knows nothing of
/// EvalHarness: the harness builds one per case with the constructor that takes an <see cref="IChatClient"/>, handing it
/// a client pointed at the case's cassette, and runs it with <c>RunAsync</c> (see framework-suite.yaml).
/// </summary>
public sealed class PolicyAgent(IChatClient chatClient) : DelegatingAIAgent(Build(chatClient))
{
    /// <summary>The agent's instructions; a change here changes every request, so a replay notices it.</summary>
    public const string Instructions =
        "You answer questions about the company's expense policy. Look up every limit with get_expense_limit; never guess one. Answer in one short sentence.";

    private static readonly Dictionary<string, decimal> Limits = new(StringComparer.OrdinalIgnoreCase)
    {
        ["meals"] = 50m,
        ["hotel"] = 150m,
        ["taxi"] = 80m,
    };

    private static ChatClientAgent Build(IChatClient chatClient) => new(chatClient, new ChatClientAgentOptions
    {
        Name = "policy",
        Description = "Answers questions about the company's expense limits.",
        ChatOptions = new ChatOptions
        {
            Instructions = Instructions,
            Temperature = 0,
            Tools = [AIFunctionFactory.Create(GetExpenseLimit, "get_expense_limit", "The company's limit for one expense of a category, in euros.")],
        },
    });

    private static object GetExpenseLimit([Description("The category: meals, hotel or taxi")] string category) =>
        Limits.TryGetValue(category.Trim(), out var limit)
            ? new { category = category.Trim().ToLowerInvariant(), limit_eur = limit }
            : new { category, error = "no policy for this category: it is not covered" };
}
