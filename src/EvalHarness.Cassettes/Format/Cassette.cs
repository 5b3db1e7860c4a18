namespace EvalHarness.Cassettes.Format;

/// <summary>One recorded conversation with a model provider: the ordered HTTP interactions of one case.</summary>
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

    /// <summary>The interactions in the order they happened.</summary>
    public required IReadOnlyList<Interaction> Interactions { get; init; }
}
