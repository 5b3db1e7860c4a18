using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>One server-sent event of a streamed response.</summary>
/// <param name="OffsetMs">When it arrived, in milliseconds from the start of the request.</param>
/// <param name="Data">Its data: a JSON value, or a JSON string for data that is not JSON (such as <c>[DONE]</c>).</param>
/// <param name="Event">Its <c>event:</c> name, if it had one (Anthropic names every event).</param>
public sealed record SseEvent(double OffsetMs, JsonElement Data, string? Event = null);
