namespace EvalHarness.Cassettes.Matching;

/// <summary>The first place two JSON values differ: a JSON path and both values as short JSON text.</summary>
public sealed record JsonDifference(string Path, string Expected, string Actual)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: recorded {Expected}, got {Actual}";
}
