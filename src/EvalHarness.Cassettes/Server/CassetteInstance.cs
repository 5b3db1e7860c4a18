using System.Globalization;

namespace EvalHarness.Cassettes.Server;

/// <summary>
/// One of several replays of the same cassette at once, as a load test makes them: <c>~&lt;n&gt;/&lt;cassette-id&gt;</c>.
/// Each instance has a replay position, served interactions and misses of its own, and reads the file of
/// <c>&lt;cassette-id&gt;</c>. A server answers such ids only with <see cref="CassetteServerOptions.Instances"/> on.
/// </summary>
/// <remarks>
/// The instance is a prefix, so whatever a case appends to its id (a judge's <c>/judge</c>) stays in the same instance.
/// <c>~</c> is outside the characters a cassette id may use, so no file id can be mistaken for an instance.
/// </remarks>
public static class CassetteInstance
{
    /// <summary>What starts an instance's id.</summary>
    public const char Marker = '~';

    /// <summary>The id of instance <paramref name="instance"/> of cassette <paramref name="cassetteId"/>.</summary>
    public static string Of(string cassetteId, long instance)
    {
        ArgumentException.ThrowIfNullOrEmpty(cassetteId);
        ArgumentOutOfRangeException.ThrowIfNegative(instance);
        return string.Create(CultureInfo.InvariantCulture, $"{Marker}{instance}/{cassetteId}");
    }

    /// <summary>
    /// Splits an instance's id into its number and the cassette id whose file it reads; false for an id that names no
    /// instance (<paramref name="cassetteId"/> is then <paramref name="id"/> itself).
    /// </summary>
    public static bool TrySplit(string id, out long instance, out string cassetteId)
    {
        ArgumentNullException.ThrowIfNull(id);
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        if (id.Length > 0 && id[0] == Marker && slash > 1
            && long.TryParse(id.AsSpan(1, slash - 1), NumberStyles.None, CultureInfo.InvariantCulture, out instance))
        {
            cassetteId = id[(slash + 1)..];
            return true;
        }

        instance = -1;
        cassetteId = id;
        return false;
    }

    /// <summary>The cassette id whose file <paramref name="id"/> reads: the id itself, or an instance's cassette.</summary>
    public static string FileId(string id) => TrySplit(id, out _, out var cassetteId) ? cassetteId : id;
}
