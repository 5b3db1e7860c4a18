using System.Text.Json.Serialization;

namespace EvalHarness.Core.Load;

/// <summary>Source-generated JSON for <c>load.json</c>: camelCase, indented, nulls skipped.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoadResult))]
public sealed partial class LoadJsonContext : JsonSerializerContext;
