using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>A response as recorded: status, allow-listed headers, and the body as a JSON value or, for a stream, its events.</summary>
public sealed record RecordedResponse(int Status, IReadOnlyDictionary<string, string> Headers, JsonElement? Body = null, IReadOnlyList<SseEvent>? Events = null);
