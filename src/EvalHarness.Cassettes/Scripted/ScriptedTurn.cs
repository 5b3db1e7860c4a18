namespace EvalHarness.Cassettes.Scripted;

/// <summary>
/// One entry of a script: the answer to one request, as text, tool calls, or an HTTP error. An error entry
/// answers one request, so <c>[error 429, text]</c> answers the first request 429 and its retry with the text.
/// </summary>
public sealed record ScriptedTurn
{
    /// <summary>The assistant's text, if any.</summary>
    public string? Text { get; init; }

    /// <summary>The tool calls of the turn, in order.</summary>
    public IReadOnlyList<ScriptedToolCall> ToolCalls { get; init; } = [];

    /// <summary>When set, the upstream answers this HTTP status with <see cref="ErrorMessage"/> instead of a completion.</summary>
    public int? ErrorStatus { get; init; }

    /// <summary>With an error: the <c>Retry-After</c> seconds the upstream sends.</summary>
    public double? RetryAfterSeconds { get; init; }

    /// <summary>The error's message.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>
    /// A wire fault instead of an answer: <c>timeout</c> (never answers), <c>reset</c> (drops the connection),
    /// <c>malformed</c> (200 with broken JSON), <c>truncated</c> (a stream cut off halfway).
    /// </summary>
    public string? Fault { get; init; }

    /// <summary>The latency to simulate; by default derived from the token counts.</summary>
    public double? LatencyMs { get; init; }
}
