using System.Text.Json.Serialization;

namespace EvalHarness.Cassettes.Format;

/// <summary>Source-generated JSON for cassettes: camelCase, indented, nulls skipped.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(Cassette))]
[JsonSerializable(typeof(List<Interaction>))]
internal sealed partial class CassetteJsonContext : JsonSerializerContext;
