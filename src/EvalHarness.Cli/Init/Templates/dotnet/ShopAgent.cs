using System.ComponentModel;
using System.Text.Json;
using EvalHarness;
using Microsoft.Extensions.AI;

namespace SupportAgent;

/// <summary>
/// A sample support agent on Microsoft.Extensions.AI: a chat client with function invocation and two tools.
/// EvalHarness creates one per case and hands it a chat client that already points at the case's cassette.
/// Replace the body with a call into your own agent.
/// </summary>
public sealed class ShopAgent : IAgentUnderTest
{
    private const string Instructions =
        "You are the support assistant of a small online shop. Look orders up before you answer, " +
        "refund an order only when the customer asks for their money back, and answer briefly, naming the order id.";

    private readonly Dictionary<string, Order> _orders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["A100"] = new("ceramic mug set", 42.00m, "delivered"),
        ["B200"] = new("wireless headphones", 129.00m, "shipped"),
    };

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
                AIFunctionFactory.Create(LookupOrder, "lookup_order", "An order's item, total and status."),
                AIFunctionFactory.Create(RefundOrder, "refund_order", "Refunds an order in full."),
            ],
        };

        List<ChatMessage> messages = [new(ChatRole.System, Instructions), .. agentCase.Messages];
        var response = await client.GetResponseAsync(messages, options, cancellationToken);

        // Tool calls, steps, tokens and cost are read from the recorded traffic; the agent reports its answer and state.
        return new AgentReport
        {
            Output = response.Text,
            State = JsonSerializer.SerializeToElement(new { orders = _orders.ToDictionary(o => o.Key, o => new { status = o.Value.Status }) }),
        };
    }

    private object LookupOrder([Description("The order id, e.g. A100.")] string order_id) =>
        _orders.TryGetValue(order_id.Trim(), out var order) ? order : new { error = "no such order" };

    private object RefundOrder([Description("The order id.")] string order_id, [Description("Why, in a few words.")] string reason)
    {
        if (!_orders.TryGetValue(order_id.Trim(), out var order))
        {
            return new { error = "no such order" };
        }

        if (order.Status == "refunded")
        {
            return new { error = "already refunded" };
        }

        _orders[order_id.Trim()] = order with { Status = "refunded" };
        return new { refunded = order.Total, reason };
    }

    private sealed record Order(string Item, decimal Total, string Status);
}
