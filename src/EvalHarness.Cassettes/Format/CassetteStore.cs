using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.Cassettes.Format;

/// <summary>Reads and writes cassette files under one folder.</summary>
/// <remarks>
/// An id <c>suite/variant/scenario/t1</c> lives at <c>suite/variant/scenario.t1.json</c>; any other id
/// <c>a/b</c> at <c>a/b.json</c>. Writes go to a temporary file renamed into place, so a crash never
/// leaves half a cassette.
/// </remarks>
public sealed partial class CassetteStore
{
    private static readonly JsonSerializerOptions WriteOptions = new(CassetteJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly CassetteJsonContext WriteContext = new(WriteOptions);

    /// <summary>Creates a store rooted at <paramref name="root"/>.</summary>
    public CassetteStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The folder that holds the cassettes.</summary>
    public string Root { get; }

    /// <summary>The longest cassette id: its file name must fit a file system's 255 bytes, its path the OS's limits.</summary>
    public const int MaxIdLength = 200;

    /// <summary>Checks that an id is safe to turn into a path: relative, no <c>..</c>, plain characters, its own file.</summary>
    public static bool IsValidId(string id) => IdProblem(id) is null;

    /// <summary>Why <paramref name="id"/> cannot be a cassette id, or null when it can.</summary>
    /// <remarks>
    /// The mapping to files is one to one: <c>a/x/t1</c> lives at <c>a/x.t1.json</c>, so an id whose last segment ends
    /// in <c>.t&lt;n&gt;</c> (<c>a/x.t1</c>) would share that file and is refused.
    /// </remarks>
    public static string? IdProblem(string id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "'' is not a valid cassette id: it is empty.";
        }

        if (id.Length > MaxIdLength)
        {
            return $"'{id[..60]}…' is not a valid cassette id: it is {id.Length} characters long; at most {MaxIdLength} are allowed.";
        }

        if (!IdPattern().IsMatch(id) || id.Split('/').Any(s => s is "." or ".."))
        {
            return $"'{id}' is not a valid cassette id: use segments of letters, digits, '.', '_' and '-' joined by '/', none of them '.' or '..'.";
        }

        var last = id[(id.LastIndexOf('/') + 1)..];
        if (AmbiguousTrialPattern().Match(last) is { Success: true } trial)
        {
            var stem = id[..^(last.Length - trial.Groups[1].Length)];
            var number = last[(trial.Groups[1].Length + 1)..];
            return $"'{id}' is not a valid cassette id: it would share its file ({stem}.{number}.json) with '{stem}/{number}'. "
                + "A last segment may not end in '.t<number>': make the trial a segment of its own, or choose another name.";
        }

        return null;
    }

    /// <summary>The file that holds cassette <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">The id could escape the folder or has odd characters.</exception>
    public string PathFor(string id)
    {
        if (IdProblem(id) is { } problem)
        {
            throw new ArgumentException(problem, nameof(id));
        }

        var segments = id.Split('/');
        var relative = segments.Length >= 2 && TrialPattern().IsMatch(segments[^1])
            ? Path.Combine([.. segments[..^2], $"{segments[^2]}.{segments[^1]}.json"])
            : Path.Combine(segments) + ".json";
        return Path.Combine(Root, relative);
    }

    /// <summary>Whether cassette <paramref name="id"/> exists.</summary>
    public bool Exists(string id) => File.Exists(PathFor(id));

    /// <summary>Loads cassette <paramref name="id"/>, or null when there is no file.</summary>
    /// <exception cref="CassetteFormatException">The file is corrupt, truncated or of an unknown version.</exception>
    public Cassette? Load(string id)
    {
        var path = PathFor(id);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>Reads a cassette file.</summary>
    /// <exception cref="CassetteFormatException">The file is corrupt, truncated or of an unknown version.</exception>
    public static Cassette Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int version;
        try
        {
            version = FormatVersion(bytes);
        }
        catch (JsonException ex)
        {
            throw new CassetteFormatException(path, $"line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: not valid JSON ({FirstSentence(ex.Message)}). Re-record the cassette or restore it from git.", ex);
        }

        if (version != Cassette.CurrentFormatVersion)
        {
            throw new CassetteFormatException(path, version == 0
                ? "has no formatVersion; it is not a cassette written by EvalHarness."
                : $"has formatVersion {version}, but this EvalHarness reads version {Cassette.CurrentFormatVersion}. Upgrade EvalHarness or re-record the cassette.");
        }

        try
        {
            return CassetteReader.Read(bytes);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $"line {line + 1}: " : string.Empty;
            throw new CassetteFormatException(path, $"{where}{FirstSentence(ex.Message)} Re-record the cassette or restore it from git.", ex);
        }
    }

    /// <summary>
    /// The file's <c>formatVersion</c> (0 when it has none), read without parsing the rest: the version comes
    /// first in every cassette EvalHarness writes, and a corrupt remainder is reported by the full read after.
    /// </summary>
    private static int FormatVersion(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            // Not an object: let the parser say why (or report a missing version for a valid non-object).
            using var document = JsonDocument.Parse(bytes);
            return 0;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = reader.ValueTextEquals("formatVersion"u8);
            reader.Read();
            if (isVersion)
            {
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) ? n : 0;
            }

            reader.Skip();
        }

        // No version property at all: make sure the file is JSON before saying it is not a cassette.
        using var parsed = JsonDocument.Parse(bytes);
        return 0;
    }

    /// <summary>
    /// Writes a cassette atomically: to a temporary file, then renamed over the old one. A cassette whose
    /// content equals the file's (the recording time aside) is not rewritten, so a re-recording that
    /// changed nothing shows no diff.
    /// </summary>
    /// <exception cref="InvalidOperationException">The content holds the live key or something shaped like a credential; nothing was written.</exception>
    public void Save(Cassette cassette, IReadOnlyCollection<string> forbiddenSecrets)
    {
        ArgumentNullException.ThrowIfNull(cassette);
        ArgumentNullException.ThrowIfNull(forbiddenSecrets);
        var path = PathFor(cassette.Id);
        var json = JsonSerializer.Serialize(cassette, WriteContext.Cassette) + "\n";
        if (Secrets.SecretScanner.FindSecret(json, forbiddenSecrets) is { } secret)
        {
            throw new InvalidOperationException(
                $"Refused to write {path}: it contains {secret}. Add a scrubber for it (cassettes.scrub in the suite); nothing was written.");
        }

        if (File.Exists(path) && cassette.Metadata is { } metadata)
        {
            try
            {
                var old = Read(path);
                if (old.Metadata is { } was
                    && JsonSerializer.Serialize(old with { Metadata = was with { RecordedAt = metadata.RecordedAt } }, WriteContext.Cassette) + "\n" == json)
                {
                    return;
                }
            }
            catch (CassetteFormatException)
            {
                // An unreadable old file is simply replaced.
            }
        }

        WriteWhole(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(json));
    }

    /// <summary>Puts cassette <paramref name="id"/>'s file back as it was (<paramref name="bytes"/>, read from it earlier), whole or not at all.</summary>
    public void Restore(string id, byte[] bytes) => WriteWhole(PathFor(id), bytes);

    /// <summary>
    /// Writes a cassette file whole: to a temporary file beside it (<c>name.json.&lt;pid&gt;.&lt;guid&gt;.tmp</c>, the name
    /// <see cref="Tooling.StrayFiles"/> finds when a killed process leaves one), then renamed over it.
    /// </summary>
    private static void WriteWhole(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') + "." : message[..(end + 1)];
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^t[0-9]+$")]
    private static partial Regex TrialPattern();

    [GeneratedRegex(@"^(.+)\.t[0-9]+$")]
    private static partial Regex AmbiguousTrialPattern();
}
