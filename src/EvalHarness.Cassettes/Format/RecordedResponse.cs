using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>A response as recorded: status, allow-listed headers, the body as a JSON value.</summary>
public sealed record RecordedResponse(int Status, IReadOnlyDictionary<string, string> Headers, JsonElement Body);
