using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EvalHarness.Core.Load;

/// <summary>Source-generated JSON for <c>load.json</c>: camelCase, indented, nulls skipped.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoadResult))]
internal sealed partial class LoadJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, with text written as it reads (a case id's quotes and ampersands unescaped).</summary>
    /// <remarks>Made on first use: a static initializer here could run before the generated <see cref="Default"/> is set.</remarks>
    public static LoadJsonContext Relaxed => field ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
