namespace EvalHarness.Core.Pricing;

/// <summary>A model's prices in USD per million tokens.</summary>
internal sealed record ModelPrice(decimal Input, decimal CachedInput, decimal Output);
