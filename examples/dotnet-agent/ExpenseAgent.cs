using System.ComponentModel;
using System.Text.Json;
using EvalHarness;
using Microsoft.Extensions.AI;

namespace ExpenseDesk;

/// <summary>
/// An expense assistant built the way a team would build it on Microsoft.Extensions.AI: a chat client with
/// function invocation and two tools of its own. EvalHarness creates one per case and hands it a chat client
/// that already points at the case's cassette.
/// </summary>
public sealed class ExpenseAgent : IAgentUnderTest
{
    /// <summary>The agent's instructions; a change here changes every request, so a replay notices it.</summary>
    public const string Instructions =
        "You are an expense assistant. Record expenses with add_expense, always in euros: convert other currencies with get_exchange_rate first. Answer in one short sentence.";

    private static readonly Dictionary<string, decimal> EurPer = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EUR"] = 1m,
        ["USD"] = 0.92m,
        ["GBP"] = 1.17m,
        ["JPY"] = 0.0061m,
    };

    private readonly List<Expense> _expenses = [];

    /// <inheritdoc />
    public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentCase);
        using var client = new ChatClientBuilder(agentCase.ChatClient).UseFunctionInvocation().Build();
        var options = new ChatOptions
        {
            Temperature = 0,
            Tools =
            [
                AIFunctionFactory.Create(GetExchangeRate, "get_exchange_rate", "How many euros one unit of a currency is worth."),
                AIFunctionFactory.Create(AddExpense, "add_expense", "Records an expense in euros."),
            ],
        };

        List<ChatMessage> messages = [new(ChatRole.System, Instructions), .. agentCase.Messages];
        var response = await client.GetResponseAsync(messages, options, cancellationToken);

        // The harness reads tool calls, tokens and cost from the recorded traffic; the agent adds its end state.
        return new AgentReport
        {
            Output = response.Text,
            State = JsonSerializer.SerializeToElement(new Dictionary<string, object>
            {
                ["expenses"] = _expenses.Select(e => new Dictionary<string, object> { ["amount_eur"] = e.AmountEur, ["note"] = e.Note }).ToList(),
                ["total_eur"] = _expenses.Sum(e => e.AmountEur),
            }),
        };
    }

    private static object GetExchangeRate([Description("An ISO currency code such as USD")] string currency) =>
        EurPer.TryGetValue(currency.Trim(), out var rate)
            ? new { currency = currency.ToUpperInvariant(), eur = rate }
            : new { currency = currency.ToUpperInvariant(), error = "unknown currency" };

    private object AddExpense([Description("The amount in euros")] decimal amount_eur, [Description("What it was for")] string note)
    {
        if (amount_eur <= 0)
        {
            return new { error = "the amount must be positive" };
        }

        _expenses.Add(new Expense(Math.Round(amount_eur, 2), note));
        return new { recorded = true, count = _expenses.Count };
    }

    private sealed record Expense(decimal AmountEur, string Note);
}
