using System.Text.Json.Serialization;
namespace EvalHarness.Core.Results;

/// <summary>Source-generated JSON for results and the pricing file: camelCase, indented, nulls skipped.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunResult))]
[JsonSerializable(typeof(Gate.GateResult))]
public sealed partial class ResultsJsonContext : JsonSerializerContext;
