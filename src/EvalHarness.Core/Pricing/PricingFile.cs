using System.Text.Json.Serialization;

namespace EvalHarness.Core.Pricing;

/// <summary>The shape of a pricing file.</summary>
internal sealed record PricingFile(string Version, string Currency, Dictionary<string, ModelPrice> Models);

/// <summary>Source-generated JSON for pricing files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PricingFile))]
internal sealed partial class PricingJsonContext : JsonSerializerContext;
