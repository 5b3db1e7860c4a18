namespace EvalHarness.Cassettes.Scripted;

/// <summary>One model turn of a script: text, tool calls, or an HTTP error the upstream answers with.</summary>
public sealed record ScriptedTurn
{
    /// <summary>The assistant's text, if any.</summary>
    public string? Text { get; init; }

    /// <summary>The tool calls of the turn, in order.</summary>
    public IReadOnlyList<ScriptedToolCall> ToolCalls { get; init; } = [];

    /// <summary>When set, the upstream answers this HTTP status with <see cref="ErrorMessage"/> instead of a completion.</summary>
    public int? ErrorStatus { get; init; }

    /// <summary>The error's message.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The latency to simulate; by default derived from the token counts.</summary>
    public double? LatencyMs { get; init; }
}
