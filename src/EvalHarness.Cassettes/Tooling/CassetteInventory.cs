using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;

namespace EvalHarness.Cassettes.Tooling;

/// <summary>Reads every cassette under a folder once, for linting and statistics.</summary>
public sealed class CassetteInventory
{
    private CassetteInventory(string root, List<(string Path, string Id, Cassette? Cassette, string? Error, long Bytes, string Text)> entries)
    {
        Root = root;
        Entries = entries;
    }

    /// <summary>The folder.</summary>
    public string Root { get; }

    /// <summary>Every cassette file: its id, the cassette (or why it cannot be read), its size and text.</summary>
    public IReadOnlyList<(string Path, string Id, Cassette? Cassette, string? Error, long Bytes, string Text)> Entries { get; }

    /// <summary>Reads the folder.</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    public static CassetteInventory Load(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"{full}: no such cassette folder.");
        }

        var entries = new List<(string, string, Cassette?, string?, long, string)>();
        foreach (var file in Directory.EnumerateFiles(full, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            var id = IdOf(full, file);
            try
            {
                entries.Add((file, id, CassetteStore.Read(file), null, new FileInfo(file).Length, text));
            }
            catch (CassetteFormatException ex)
            {
                entries.Add((file, id, null, ex.Message, new FileInfo(file).Length, text));
            }
        }

        return new CassetteInventory(full, entries);
    }

    /// <summary>
    /// The problems: unreadable files, credentials, cassettes no suite uses, cassettes older than <paramref name="maxAge"/>,
    /// paths that differ only in case, partial files.
    /// </summary>
    public IReadOnlyList<CassetteFinding> Lint(IReadOnlySet<string>? usedIds, TimeSpan? maxAge, DateTimeOffset now)
    {
        var findings = new List<CassetteFinding>();
        foreach (var (path, id, cassette, error, _, text) in Entries)
        {
            if (error is not null)
            {
                findings.Add(new(path, "format", error));
                continue;
            }

            if (SecretScanner.FindSecret(text, []) is { } secret)
            {
                findings.Add(new(path, "secret", $"holds {secret}. Delete the cassette, add a scrubber (cassettes.scrub) and record it again."));
            }

            if (cassette!.Id != id)
            {
                findings.Add(new(path, "format", $"holds cassette '{cassette.Id}' but its path says '{id}'. Move it, or record it again."));
            }

            if (usedIds is not null && !usedIds.Contains(id))
            {
                findings.Add(new(path, "unused", "no case of the given suites uses it (a removed scenario, variant or trial?). Delete it if so."));
            }

            if (maxAge is { } age && cassette.Metadata is { } metadata && now - metadata.RecordedAt > age)
            {
                findings.Add(new(path, "stale", $"was recorded {(now - metadata.RecordedAt).TotalDays:0} days ago ({metadata.RecordedAt:yyyy-MM-dd}), more than {age.TotalDays:0}. Record it again against the live provider."));
            }
        }

        // Files whose paths differ only in case are two cassettes here and one file on macOS and Windows checkouts.
        foreach (var group in Entries.GroupBy(e => e.Path, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            foreach (var (path, _, _, _, _, _) in group.Skip(1))
            {
                findings.Add(new(path, "case", $"differs from {Path.GetRelativePath(Root, group.First().Path)} only in case: the two are one file on macOS and Windows. Rename a scenario or variant, then record it again."));
            }
        }

        foreach (var stray in StrayFiles.Find(Root, now))
        {
            var cassette = stray[..(stray.LastIndexOf(".json.", StringComparison.Ordinal) + ".json".Length)];
            findings.Add(new(stray, "partial", File.Exists(cassette)
                ? "is a partial cassette a process killed while writing left behind (the cassette itself is whole). `evalh cassettes clean` removes it."
                : $"is a partial cassette a process killed while writing left behind, and {Path.GetFileName(cassette)} was never written: record it again. `evalh cassettes clean` removes the partial file."));
        }

        return findings;
    }

    private static string IdOf(string root, string file)
    {
        var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
        var name = relative[..^".json".Length];
        var dot = name.LastIndexOf('.');
        // suite/variant/scenario.t1 is the id suite/variant/scenario/t1.
        return dot > 0 && name.Length > dot + 2 && name[dot + 1] == 't' && name[(dot + 2)..].All(char.IsAsciiDigit) && name.IndexOf('/', dot) < 0
            ? $"{name[..dot]}/{name[(dot + 1)..]}"
            : name;
    }
}
