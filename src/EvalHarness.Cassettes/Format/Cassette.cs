namespace EvalHarness.Cassettes.Format;

/// <summary>One case's recorded world: its ordered HTTP interactions with a model provider, and its exchanges with its tool servers.</summary>
public sealed record Cassette
{
    /// <summary>The format version this build writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The format version of the file.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The cassette id, e.g. <c>support/default/refund/t1</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The wire protocol: <c>openai</c> or <c>anthropic</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>Where it was recorded from: the upstream's path-less origin kind (<c>scripted</c> or <c>live</c>).</summary>
    public required string RecordedFrom { get; init; }

    /// <summary>Where it came from: model, time, harness version, client.</summary>
    public CassetteMetadata? Metadata { get; init; }

    /// <summary>The model's interactions in the order they happened.</summary>
    public required IReadOnlyList<Interaction> Interactions { get; init; }

    /// <summary>The agent's exchanges with its tool servers (MCP and HTTP APIs) in the order they happened; null when there were none.</summary>
    public IReadOnlyList<ToolExchange>? Tools { get; init; }
}
