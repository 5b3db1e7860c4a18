using System.Text;
using EvalHarness.Core.Gate;
using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>
/// Thousands of mutated and random YAML documents, from a fixed seed, through every YAML reader the harness has
/// (suites, scripts, gate policies): each loads or ends in a <see cref="SuiteException"/> with a position; nothing
/// else may escape, and nothing may overflow the stack.
/// </summary>
public sealed class YamlFuzzTests
{
    private const string Alphabet = ":-[]{}&*!|>'\"#%@`?,.\\ \t\n\n  0123456789aAzZé\u00a0";

    private static readonly string[] Seeds =
    [
        .. Directory.GetFiles(RepoPaths.Suites, "*.yaml").Order(StringComparer.Ordinal).Select(File.ReadAllText),
        File.ReadAllText(Path.Combine(RepoPaths.Suites, "scripts", "support.yaml")),
        File.ReadAllText(Path.Combine(RepoPaths.Root, "gate.yaml")),
    ];

    private static readonly Suite Support = SuiteLoader.Load(Path.Combine(RepoPaths.Suites, "support.yaml"));

    [Theory]
    [InlineData(20261201, 1500)]
    [InlineData(424242, 1500)]
    public void EveryReader_AnyDocument_LoadsOrNamesWhere(int seed, int documents)
    {
        var random = new Random(seed);
        var surprises = new List<string>();
        for (var i = 0; i < documents; i++)
        {
            var text = i % 10 == 9 ? RandomDocument(random) : Mutate(random, Seeds[random.Next(Seeds.Length)]);
            foreach (var (reader, load) in Readers)
            {
                try
                {
                    load(text);
                }
                catch (SuiteException)
                {
                    // The expected failure: a message naming the file, line and column.
                }
                catch (Exception ex)
                {
                    surprises.Add($"{reader}, document {i} of seed {seed}: {ex.GetType().Name}: {ex.Message}\n--- document ---\n{(text.Length > 2000 ? text[..2000] + "…" : text)}");
                }
            }
        }

        Assert.True(surprises.Count == 0, $"{surprises.Count} document(s) escaped as other exceptions; the first:\n{surprises.FirstOrDefault()}");
    }

    [Theory]
    [InlineData("[", "]", 100_000)]
    [InlineData("{a: ", "}", 100_000)]
    [InlineData("- ", "", 5_000)]
    public void EveryReader_NestingDeeperThanTheLimit_IsRefusedWhereItStarts(string open, string close, int depth)
    {
        var text = open == "- "
            ? string.Concat(Enumerable.Range(0, depth).Select(d => new string(' ', d * 2) + "- \n")) + new string(' ', depth * 2) + "x\n"
            : "suite: deep\nx: " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "\n";

        foreach (var (reader, load) in Readers)
        {
            var error = Assert.Throws<SuiteException>(() => load(text));
            Assert.Contains("nests deeper than 64 levels", error.Message, StringComparison.Ordinal);
            Assert.True(error.Line >= 1, $"{reader}: no line in {error.Message}");
        }
    }

    private static IEnumerable<(string Reader, Action<string> Load)> Readers =>
    [
        ("suite", text => SuiteLoader.Parse(Path.Combine(RepoPaths.Suites, "fuzz.yaml"), text)),
        ("script", text => ScriptBook.Parse(Path.Combine(RepoPaths.Suites, "scripts", "fuzz.yaml"), text, Support)),
        ("policy", text => GatePolicyLoader.Parse("fuzz-gate.yaml", text)),
    ];

    private static string Mutate(Random random, string text)
    {
        var s = new StringBuilder(text);
        for (var n = random.Next(1, 6); n > 0 && s.Length > 0; n--)
        {
            var at = random.Next(s.Length);
            switch (random.Next(7))
            {
                case 0: // delete a span
                    s.Remove(at, Math.Min(random.Next(1, 40), s.Length - at));
                    break;
                case 1: // insert characters YAML gives meaning to
                    s.Insert(at, string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => Alphabet[random.Next(Alphabet.Length)])));
                    break;
                case 2: // duplicate a span elsewhere
                    var length = Math.Min(random.Next(1, 200), s.Length - at);
                    s.Insert(random.Next(s.Length), s.ToString(at, length));
                    break;
                case 3: // re-indent a line
                    var line = s.ToString().LastIndexOf('\n', at) + 1;
                    s.Insert(line, new string(' ', random.Next(1, 5)));
                    break;
                case 4: // truncate
                    s.Length = at;
                    break;
                case 5: // an anchor and aliases to it
                    s.Insert(at, random.Next(2) == 0 ? " &a [x, y] " : " *a ");
                    break;
                default: // a number, a boolean or an empty value where text was
                    s.Insert(at, random.Next(3) switch { 0 => " -1e999 ", 1 => " true ", _ => " ~ " });
                    break;
            }
        }

        return s.ToString();
    }

    private static string RandomDocument(Random random)
    {
        var s = new StringBuilder();
        for (var n = random.Next(1, 300); n > 0; n--)
        {
            s.Append(random.Next(4) == 0 ? "\n" + new string(' ', random.Next(0, 8)) : Alphabet[random.Next(Alphabet.Length)].ToString());
        }

        return s.ToString();
    }
}
