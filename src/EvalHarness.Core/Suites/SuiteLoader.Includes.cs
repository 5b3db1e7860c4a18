using YamlDotNet.RepresentationModel;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Suites;

// Included files: their scenarios join the suite's, their fixtures are merged with its own.
public static partial class SuiteLoader
{
    /// <summary>Reads one included file: its scenarios join <paramref name="scenarios"/>; returns the fixtures with its own added.</summary>
    private static Fixtures Include(
        YamlNodes y, YamlNode item, SuiteRoot suiteRoot, string path, Fixtures fixtures, List<Scenario> scenarios, IReadOnlyList<Variant> variants, YamlMappingNode? defaults, IReadOnlyList<IToolkit> toolkits)
    {
        var relative = y.String(item, "an included file");
        var included = suiteRoot.Resolve(y, item, relative, "the included file");
        if (!File.Exists(included))
        {
            throw y.Error(item, $"the included file '{relative}' does not exist (looked in {suiteRoot.BaseDirectory}).");
        }

        var yi = new YamlNodes(Path.GetRelativePath(Environment.CurrentDirectory, included), y.Errors);
        var part = yi.Mapping(YamlNodes.Parse(yi.File, File.ReadAllText(included)), "an included file");
        var partKeys = yi.Keys(part, "an included file", "fixtures", "scenarios");
        if (partKeys.TryGetValue("fixtures", out var pf))
        {
            fixtures = y.Errors!.Try(() => Merge(yi, pf.Key, path, fixtures, FixtureParser.Parse(yi, pf.Value, toolkits)), fixtures);
        }

        if (partKeys.TryGetValue("scenarios", out var ps))
        {
            foreach (var scenario in ParseScenarios(yi, ps.Value, variants, defaults, allowEmpty: true))
            {
                if (scenarios.Any(s => s.Name == scenario.Name))
                {
                    yi.Report(new SuiteException(yi.File, scenario.Line, 1, $"there are two scenarios named '{scenario.Name}' (one in {path}); names must be unique within a suite."));
                    continue;
                }

                scenarios.Add(scenario);
            }
        }

        return fixtures;
    }

    /// <summary>Adds an included file's fixtures to the suite's; an id both define is an error at the included file's <c>fixtures</c>.</summary>
    private static Fixtures Merge(YamlNodes y, YamlNode where, string suiteFile, Fixtures a, Fixtures b)
    {
        void Unique<T>(string what, IEnumerable<T> first, IEnumerable<T> second)
        {
            var seen = first.ToHashSet();
            if (second.FirstOrDefault(seen.Contains) is { } twice)
            {
                throw y.Error(where, $"{what} '{twice}' is defined here and in {suiteFile} (or an earlier include); each must be defined once.");
            }
        }

        Unique("the order", a.Orders.Select(o => o.Id), b.Orders.Select(o => o.Id));
        Unique("the document", a.Documents.Select(d => d.Id), b.Documents.Select(d => d.Id));
        Unique("the file", a.Files.Keys, b.Files.Keys);
        Unique("the inventory sku", a.Inventory.Select(i => i.Sku), b.Inventory.Select(i => i.Sku));
        Unique("the test", a.Tests.Select(t => t.Name), b.Tests.Select(t => t.Name));
        Unique("the table", a.Tables.Keys, b.Tables.Keys);
        Unique("the page", a.Pages.Keys, b.Pages.Keys);
        Unique("the fixture", a.Extra.Keys, b.Extra.Keys);
        return a with
        {
            Orders = [.. a.Orders, .. b.Orders],
            Documents = [.. a.Documents, .. b.Documents],
            Files = a.Files.Concat(b.Files).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Inventory = [.. a.Inventory, .. b.Inventory],
            Memories = [.. a.Memories, .. b.Memories],
            Tests = [.. a.Tests, .. b.Tests],
            Tables = a.Tables.Concat(b.Tables).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Pages = a.Pages.Concat(b.Pages).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Extra = a.Extra.Concat(b.Extra).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        };
    }
}
