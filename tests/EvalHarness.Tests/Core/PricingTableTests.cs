using EvalHarness.Agents.Runtime;
using EvalHarness.Core.Pricing;

namespace EvalHarness.Tests.Core;

public sealed class PricingTableTests
{
    [Fact]
    public void Cost_BillsCachedInputAtItsOwnPrice()
    {
        var table = new PricingTable("t", new Dictionary<string, ModelPrice> { ["openai:m"] = new(Input: 2m, CachedInput: 0.5m, Output: 8m) });

        // 1,000,000 input of which 400,000 cached; 250,000 output: 0.6*2 + 0.4*0.5 + 0.25*8 = 3.4
        var cost = table.Cost(new ModelRef("openai", "m"), new TokenUsage(1_000_000, 250_000, CachedInput: 400_000));

        Assert.Equal(3.4m, cost);
    }

    [Fact]
    public void Cost_UnknownModel_IsNullNotZero() =>
        Assert.Null(PricingTable.Default.Cost(new ModelRef("openai", "no-such-model"), new TokenUsage(10, 10)));

    [Fact]
    public void Default_HasTheExampleModel()
    {
        Assert.Equal(0.15m, PricingTable.Default.Models["openai:gpt-4o-mini"].Input);
        Assert.False(string.IsNullOrEmpty(PricingTable.Default.Version));
    }
}
