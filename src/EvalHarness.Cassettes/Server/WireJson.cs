using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;

namespace EvalHarness.Cassettes.Server;

/// <summary>Bodies on the wire as JSON values.</summary>
internal static class WireJson
{
    /// <summary>A body as a JSON value; a body that is not JSON is kept as a JSON string.</summary>
    public static JsonElement Parse(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return JsonSerializer.SerializeToElement(string.Empty, CassetteJsonContext.Default.String);
        }

        return TryParse(bytes) ?? JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(bytes), CassetteJsonContext.Default.String);
    }

    /// <summary>A body as a JSON value, or null when it is not JSON.</summary>
    public static JsonElement? TryParse(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
