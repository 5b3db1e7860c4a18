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
internal sealed partial class ResultsJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, with text written as it reads (a case's quotes and ampersands unescaped).</summary>
    /// <remarks>Made on first use: a static initializer here could run before the generated <see cref="Default"/> is set.</remarks>
    public static ResultsJsonContext Relaxed => field ??= new(new System.Text.Json.JsonSerializerOptions(Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
