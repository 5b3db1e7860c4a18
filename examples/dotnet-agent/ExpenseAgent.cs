using System.ComponentModel;
using System.Text.Json;
using EvalHarness;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;

namespace ExpenseDesk;

/// <summary>
/// An expense assistant built the way a team would build it on Microsoft.Extensions.AI: a chat client with
/// function invocation, a tool of its own (<c>add_expense</c>) and one from the team's rates MCP server
/// (<c>get_exchange_rate</c>). EvalHarness creates one per case and hands it a chat client and an MCP endpoint that
/// already point at the case's cassette.
/// </summary>
public sealed class ExpenseAgent : IAgentUnderTest
{
    /// <summary>The agent's instructions; a change here changes every request, so a replay notices it.</summary>
    public const string Instructions =
        "You are an expense assistant. Record expenses with add_expense, always in euros: convert other currencies with get_exchange_rate first. Answer in one short sentence.";

    private readonly List<Expense> _expenses = [];

    /// <inheritdoc />
    public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentCase);

        // The rates server, as the suite names it (agent.mcp.rates): recorded into the cassette, replayed from it.
        if (!agentCase.McpServers.TryGetValue("rates", out var ratesEndpoint))
        {
            throw new InvalidOperationException("ExpenseAgent needs the rates MCP server: name it in the suite, agent.mcp.rates: { command: [dotnet, RatesServer/bin/RatesServer.dll] }.");
        }

        await using var rates = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = ratesEndpoint }), cancellationToken: cancellationToken);
        var exchangeRate = (await rates.ListToolsAsync(cancellationToken: cancellationToken)).Single(t => t.Name == "get_exchange_rate");

        using var client = new ChatClientBuilder(agentCase.ChatClient).UseFunctionInvocation().Build();
        var options = new ChatOptions
        {
            Temperature = 0,
            Tools = [exchangeRate, AIFunctionFactory.Create(AddExpense, "add_expense", "Records an expense in euros.")],
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
