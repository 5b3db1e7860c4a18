using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>A request as recorded: allow-listed headers only, the body as a JSON value.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, JsonElement Body);
