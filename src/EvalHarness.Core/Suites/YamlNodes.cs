using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>
/// Reads a YAML document node by node, so every error can name the file, line and column, and every
/// mapping can reject keys it does not know (with a "did you mean" suggestion).
/// </summary>
internal sealed class YamlNodes(string file, SuiteErrors? errors = null)
{
    /// <summary>The most characters of a file's content an error quotes.</summary>
    public const int MaxExcerpt = 80;

    public string File { get; } = file;

    /// <summary>Where errors a reader can go on after are collected; null to throw at the first.</summary>
    public SuiteErrors? Errors { get; } = errors;

    /// <summary>
    /// The most nodes a document may expand to, aliases followed, beyond one per character of its text: a guard
    /// against alias bombs that still lets a suite of ten thousand scenarios written out load.
    /// </summary>
    private const int MaxNodes = 100_000;

    /// <summary>The deepest nesting a document may have.</summary>
    private const int MaxDepth = 64;

    public static YamlNode Parse(string file, string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]) && text[i] is not ('\t' or '\n' or '\r'))
            {
                var line = 1 + text.AsSpan(0, i).Count('\n');
                var column = i - text.LastIndexOf('\n', Math.Max(0, i - 1));
                throw new SuiteException(file, line, column, $"the file holds a control character (U+{(int)text[i]:X4}); it is not a text YAML file.");
            }
        }

        var stream = new YamlStream();
        try
        {
            // The representation model recurses once per level: deep nesting is refused as its events arrive, before it is built.
            stream.Load(new DepthGuard(file, new Parser(new StringReader(text))));
        }
        catch (SuiteException)
        {
            throw;
        }
        catch (YamlException ex)
        {
            // The innermost exception knows where the scanner was; the outer one often says only 1:1.
            var where = ex;
            while (where.InnerException is YamlException inner && inner.Start.Line >= where.Start.Line)
            {
                where = inner;
            }

            var (line, column) = ((int)where.Start.Line, (int)where.Start.Column);
            if (line <= 1 && column <= 1 && Locate(text, ex) is { } found)
            {
                (line, column) = found;
            }

            throw new SuiteException(file, line, column, $"not valid YAML: {Unwrap(ex)}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or OverflowException or KeyNotFoundException or IndexOutOfRangeException or NullReferenceException or InvalidCastException)
        {
            // The parser's own mistakes on odd input: still the file's problem, never a crash.
            throw new SuiteException(file, 0, 0, $"not valid YAML (the parser gave up: {ex.Message}). Simplify the document around its last change.");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            throw new SuiteException(file, 0, 0, "the file is empty.");
        }

        var root = stream.Documents[0].RootNode;
        var count = 0;
        Guard(file, root, 0, MaxNodes + text.Length, ref count);
        return root;
    }

    /// <summary>
    /// The parser's events as they arrive (the parser keeps its own stack, without recursing), with nesting deeper than
    /// <see cref="MaxDepth"/> refused where it starts, before the representation model recurses over it: one pass over
    /// the text, not a check and then a parse.
    /// </summary>
    private sealed class DepthGuard(string file, IParser parser) : IParser
    {
        private int _depth;

        public YamlDotNet.Core.Events.ParsingEvent? Current => parser.Current;

        public bool MoveNext()
        {
            if (!parser.MoveNext())
            {
                return false;
            }

            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart when ++_depth > MaxDepth:
                    throw new SuiteException(file, (int)parser.Current.Start.Line, (int)parser.Current.Start.Column,
                        $"the document nests deeper than {MaxDepth} levels here; no suite, script or policy needs that many.");
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    _depth--;
                    break;
            }

            return true;
        }
    }

    /// <summary>Walks the document as a loader would, aliases followed, and stops at the limits.</summary>
    private static void Guard(string file, YamlNode node, int depth, int limit, ref int count)
    {
        if (++count > limit)
        {
            throw new SuiteException(file, (int)node.Start.Line, (int)node.Start.Column,
                $"the document expands to more than {limit:N0} values through its aliases (an alias bomb?). Write the values out, or use fewer aliases.");
        }

        if (depth > MaxDepth)
        {
            throw new SuiteException(file, (int)node.Start.Line, (int)node.Start.Column, $"the document nests deeper than {MaxDepth} levels.");
        }

        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    Guard(file, key, depth + 1, limit, ref count);
                    Guard(file, value, depth + 1, limit, ref count);
                }

                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children)
                {
                    Guard(file, item, depth + 1, limit, ref count);
                }

                break;
        }
    }

    /// <summary>
    /// An error at <paramref name="node"/>. A long or multi-line value the message quotes is cut to its excerpt, so no
    /// error prints a whole file (an included /etc/passwd is one long scalar).
    /// </summary>
    public SuiteException Error(YamlNode node, string message) =>
        new(File, (int)node.Start.Line, (int)node.Start.Column,
            node is YamlScalarNode { Value: { } value } && Excerpt(value) != value ? message.Replace(value, Excerpt(value), StringComparison.Ordinal) : message);

    /// <summary>At most <see cref="MaxExcerpt"/> characters of the first line of <paramref name="text"/>, with an ellipsis when cut.</summary>
    public static string Excerpt(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var line = end < 0 ? text : text[..end];
        return line.Length > MaxExcerpt ? string.Concat(line.AsSpan(0, MaxExcerpt), "…") : end < 0 ? line : line + "…";
    }

    /// <summary>
    /// The node at a JSON path (<c>$.properties.id.type</c>, <c>$.anyOf[1]</c>) below <paramref name="root"/>, or the
    /// deepest node on the way that exists: where an error about that part of a value points.
    /// </summary>
    public static YamlNode At(YamlNode root, string path)
    {
        var node = root;
        foreach (System.Text.RegularExpressions.Match step in System.Text.RegularExpressions.Regex.Matches(path, @"\.([^.\[]+)|\[(\d+)\]"))
        {
            YamlNode? next = node switch
            {
                YamlMappingNode map when step.Groups[1].Success => map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode k && k.Value == step.Groups[1].Value).Value,
                YamlSequenceNode list when step.Groups[2].Success && int.Parse(step.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) is var i && i < list.Children.Count
                    => list.Children[i],
                _ => null,
            };
            if (next is null)
            {
                return node; // the part is missing (a required one): the error belongs to what should hold it
            }

            node = next;
        }

        return node;
    }

    /// <summary>
    /// Runs <paramref name="read"/>; when this reader collects errors, an error it throws is collected and
    /// <paramref name="fallback"/> returned, so reading goes on. Otherwise the error is thrown.
    /// </summary>
    public T Try<T>(Func<T> read, T fallback) => Errors is null ? read() : Errors.Try(read, fallback);

    /// <summary>Collects <paramref name="error"/> when this reader collects errors, else throws it.</summary>
    public void Report(SuiteException error)
    {
        if (Errors is null)
        {
            throw error;
        }

        Errors.Add(error);
    }

    public YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping (key: value lines), not {Describe(node)}.");

    public YamlSequenceNode Sequence(YamlNode node, string what) =>
        node as YamlSequenceNode ?? throw Error(node, $"{what} must be a list (lines starting with '- '), not {Describe(node)}.");

    public string String(YamlNode node, string what) => node is YamlScalarNode { Value: { } value }
        ? value
        : throw Error(node, $"{what} must be a text value, not {Describe(node)}.");

    public int Int(YamlNode node, string what, int min)
    {
        var text = String(node, what);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(node, $"{what} must be a whole number, not '{text}'.");
        }

        return value >= min ? value : throw Error(node, $"{what} must be at least {min}, not {value}.");
    }

    public decimal Decimal(YamlNode node, string what, decimal min, bool exclusive = false)
    {
        var text = String(node, what);
        if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(node, $"{what} must be a number, not '{text}'.");
        }

        return (exclusive ? value > min : value >= min) ? value : throw Error(node, $"{what} must be {(exclusive ? "more than" : "at least")} {min}, not {value}.");
    }

    public bool Bool(YamlNode node, string what) => String(node, what) switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var other => throw Error(node, $"{what} must be true or false, not '{other}'."),
    };

    public IReadOnlyList<string> Strings(YamlNode node, string what) => node is YamlScalarNode
        ? [String(node, what)]
        : Sequence(node, what).Children.Select(c => String(c, $"each item of {what}")).ToList();

    /// <summary>Checks a mapping's keys against the known ones and returns them by name.</summary>
    public KeyMap Keys(YamlMappingNode map, string what, params string[] known)
    {
        var result = new KeyMap();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = String(keyNode, $"a key of {what}");
            if (Array.IndexOf(known, key) < 0)
            {
                var close = Suggest(key, known);
                var hint = close is not null ? $" Did you mean '{close}'?" : $" Known keys: {string.Join(", ", known)}.";
                var error = Error(keyNode, $"unknown key '{key}' in {what}.{hint}");
                Report(error);

                // Collecting errors: the key it meant, if required, is missing for this reason; one typo gives one error.
                if (close is not null)
                {
                    result.Misspelt.TryAdd(close, error);
                }

                continue;
            }

            if (!result.TryAdd(key, ((YamlScalarNode)keyNode, value)))
            {
                Report(Error(keyNode, $"the key '{key}' appears twice in {what}."));
            }
        }

        return result;
    }

    public YamlNode Required(KeyMap keys, YamlNode owner, string key, string what) =>
        keys.TryGetValue(key, out var entry) ? entry.Value
        : keys.Misspelt.TryGetValue(key, out var misspelt) ? throw misspelt
        : throw Error(owner, $"{what} needs '{key}'.");

    /// <summary>The closest known word, when it is close enough to be a typo.</summary>
    public static string? Suggest(string word, IEnumerable<string> known)
    {
        var best = known.Select(k => (k, d: Distance(word.ToLowerInvariant(), k.ToLowerInvariant()))).OrderBy(x => x.d).FirstOrDefault();
        return best.k is not null && best.d <= Math.Max(2, word.Length / 3) ? best.k : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "an empty value",
        YamlScalarNode s => $"'{Excerpt(s.Value)}'",
        _ => "an alias",
    };

    /// <summary>Where the YAML parser gives no position (tab indentation, an unknown alias), finds it in the text.</summary>
    private static (int Line, int Column)? Locate(string text, YamlException ex)
    {
        var lines = text.Split('\n');
        if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
                var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
                if (tab >= 0 && tab < indent)
                {
                    return (i + 1, tab + 1);
                }
            }
        }

        if (System.Text.RegularExpressions.Regex.Match(ex.Message, "anchor '([^']+)'") is { Success: true } anchor)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var at = lines[i].IndexOf("*" + anchor.Groups[1].Value, StringComparison.Ordinal);
                if (at >= 0)
                {
                    return (i + 1, at + 1);
                }
            }
        }

        return null;
    }

    private static string Unwrap(YamlException ex)
    {
        var message = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        return at >= 0 && message.StartsWith('(') ? message[(at + 3)..] : message;
    }
}
