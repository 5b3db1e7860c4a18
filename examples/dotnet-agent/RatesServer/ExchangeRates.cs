using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Server;

namespace ExpenseDesk.Rates;

/// <summary>Today's exchange-rate table, as the team's MCP server serves it.</summary>
[McpServerToolType]
internal sealed class ExchangeRates
{
    private static readonly Dictionary<string, decimal> EurPer = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EUR"] = 1m,
        ["USD"] = 0.92m,
        ["GBP"] = 1.17m,
        ["JPY"] = 0.0061m,
    };

    /// <summary>How many euros one unit of <paramref name="currency"/> is worth, as JSON.</summary>
    [McpServerTool(Name = "get_exchange_rate"), Description("How many euros one unit of a currency is worth.")]
    public static string GetExchangeRate([Description("An ISO currency code such as USD")] string currency)
    {
        var code = currency.Trim().ToUpperInvariant();
        return EurPer.TryGetValue(code, out var rate)
            ? JsonSerializer.Serialize(new { currency = code, eur = rate })
            : JsonSerializer.Serialize(new { currency = code, error = "unknown currency" });
    }
}
