using System.Text.Json;

namespace EvalHarness.Cassettes.Format;

/// <summary>A response as recorded: status, allow-listed headers, and what came back.</summary>
/// <param name="Status">The HTTP status; 0 when no response came (a timeout or a reset).</param>
/// <param name="Headers">Allow-listed headers.</param>
/// <param name="Body">The body as a JSON value, when it was JSON.</param>
/// <param name="Events">For a stream: its events with their offsets.</param>
/// <param name="BodyText">The body as text, when it was not valid JSON (a malformed answer is kept as it came).</param>
/// <param name="Fault">
/// What went wrong on the wire, if anything: <c>timeout</c> (no answer in time), <c>reset</c> (the connection
/// dropped), <c>truncated</c> (a stream cut off after its recorded events). A replay reproduces it.
/// </param>
public sealed record RecordedResponse(
    int Status,
    IReadOnlyDictionary<string, string> Headers,
    JsonElement? Body = null,
    IReadOnlyList<SseEvent>? Events = null,
    string? BodyText = null,
    string? Fault = null);
