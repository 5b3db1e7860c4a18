using System.Text.Json;
using EvalHarness.Agents.Runtime;

namespace EvalHarness.Core.Pricing;

/// <summary>Per-model token prices, versioned, so a report can say which prices its costs used.</summary>
internal sealed record PricingTable(string Version, IReadOnlyDictionary<string, ModelPrice> Models)
{
    /// <summary>The prices shipped with this build.</summary>
    public static PricingTable Default { get; } = LoadDefault();

    /// <summary>The cost of <paramref name="usage"/> on <paramref name="model"/> in USD, or null when its price is unknown.</summary>
    /// <remarks>Cached input tokens are part of the input count and billed at the cached price; reasoning tokens are output.</remarks>
    public decimal? Cost(ModelRef model, TokenUsage usage)
    {
        if (!Models.TryGetValue(model.ToString(), out var price))
        {
            return null;
        }

        var cached = Math.Min(usage.CachedInput, usage.Input);
        return (((usage.Input - cached) * price.Input) + (cached * price.CachedInput) + (usage.Output * price.Output)) / 1_000_000m;
    }

    /// <summary>Reads a pricing file.</summary>
    public static PricingTable Parse(Stream json)
    {
        var file = JsonSerializer.Deserialize(json, PricingJsonContext.Default.PricingFile)
            ?? throw new InvalidDataException("The pricing file is empty.");
        return new PricingTable(file.Version, file.Models);
    }

    private static PricingTable LoadDefault()
    {
        using var stream = typeof(PricingTable).Assembly.GetManifestResourceStream("EvalHarness.Core.pricing.json")
            ?? throw new InvalidOperationException("The built-in pricing table is missing from the assembly.");
        return Parse(stream);
    }
}
