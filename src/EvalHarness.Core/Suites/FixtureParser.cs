using System.Globalization;
using YamlDotNet.RepresentationModel;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Suites;

/// <summary>Reads a suite's <c>fixtures</c> block.</summary>
internal static class FixtureParser
{
    /// <summary>The fixture keys of the built-in toolkits, read here into typed fixtures.</summary>
    public static IReadOnlyList<string> BuiltInKeys { get; } = ["orders", "documents", "files", "inventory", "memories", "tests", "tables", "pages", "now"];

    public static Fixtures Parse(YamlNodes y, YamlNode node, IReadOnlyList<IToolkit> toolkits)
    {
        var loaded = toolkits.SelectMany(t => t.FixtureKeys).ToList();
        var keys = y.Keys(y.Mapping(node, "fixtures"), "fixtures", [.. BuiltInKeys, .. loaded]);
        return new Fixtures
        {
            // A loaded toolkit's fixtures are its own to read: kept as JSON and handed to it per case.
            Extra = keys.Where(k => loaded.Contains(k.Key)).ToDictionary(k => k.Key, k => YamlJson.ToElement(k.Value.Value), StringComparer.Ordinal),
            Orders = keys.TryGetValue("orders", out var o) ? Orders(y, o.Value) : [],
            Documents = keys.TryGetValue("documents", out var d) ? Documents(y, d.Value) : [],
            Files = keys.TryGetValue("files", out var f)
                ? y.Mapping(f.Value, "files").Children.ToDictionary(kv => y.String(kv.Key, "a file path"), kv => y.String(kv.Value, "a file's text"), StringComparer.Ordinal)
                : new Dictionary<string, string>(),
            Inventory = keys.TryGetValue("inventory", out var i) ? Inventory(y, i.Value) : [],
            Memories = keys.TryGetValue("memories", out var m) ? y.Strings(m.Value, "memories") : [],
            Tests = keys.TryGetValue("tests", out var t) ? Tests(y, t.Value) : [],
            Tables = keys.TryGetValue("tables", out var tb) ? Tables(y, tb.Value) : new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>>(),
            Pages = keys.TryGetValue("pages", out var p)
                ? y.Mapping(p.Value, "pages").Children.ToDictionary(kv => y.String(kv.Key, "a URL"), kv => y.String(kv.Value, "a page's text"), StringComparer.Ordinal)
                : new Dictionary<string, string>(),
            Now = keys.TryGetValue("now", out var now)
                ? DateTimeOffset.TryParse(y.String(now.Value, "now"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : throw y.Error(now.Value, "now must be a date and time such as 2026-01-05T09:00:00Z.")
                : new Fixtures().Now,
        };
    }

    private static List<TestSpec> Tests(YamlNodes y, YamlNode node) =>
        [.. y.Sequence(node, "tests").Children.Select(item =>
        {
            var map = y.Mapping(item, "a test");
            var k = y.Keys(map, "a test", "name", "file", "expect");
            return new TestSpec(
                y.String(y.Required(k, map, "name", "A test"), "name"),
                y.String(y.Required(k, map, "file", "A test"), "file"),
                y.String(y.Required(k, map, "expect", "A test"), "expect"));
        })];

    private static Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>> Tables(YamlNodes y, YamlNode node)
    {
        var tables = new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>>(StringComparer.Ordinal);
        foreach (var (keyNode, rows) in y.Mapping(node, "tables").Children)
        {
            var name = y.String(keyNode, "a table name");
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw y.Error(keyNode, $"table name '{name}' may hold only letters, digits and '_'.");
            }

            tables[name] = [.. y.Sequence(rows, $"the rows of {name}").Children.Select(row =>
                (IReadOnlyDictionary<string, System.Text.Json.JsonElement>)y.Mapping(row, "a row").Children.ToDictionary(
                    kv => y.String(kv.Key, "a column") is var column && column.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? column : throw y.Error(kv.Key, $"column '{column}' may hold only letters, digits and '_'."),
                    kv => YamlJson.ToElement(kv.Value),
                    StringComparer.Ordinal))];
        }

        return tables;
    }

    private static List<Order> Orders(YamlNodes y, YamlNode node)
    {
        var orders = new List<Order>();
        foreach (var item in y.Sequence(node, "orders").Children)
        {
            var map = y.Mapping(item, "an order");
            var k = y.Keys(map, "an order", "id", "customer", "total", "status", "item");
            var totalNode = y.Required(k, map, "total", "An order");
            var totalText = y.String(totalNode, "total");
            if (!decimal.TryParse(totalText, NumberStyles.Number, CultureInfo.InvariantCulture, out var total) || total < 0)
            {
                throw y.Error(totalNode, $"total must be a non-negative amount such as 42.00, not '{totalText}'.");
            }

            var id = y.String(y.Required(k, map, "id", "An order"), "id");
            if (orders.Any(x => x.Id.Equals(id, StringComparison.OrdinalIgnoreCase)))
            {
                throw y.Error(k["id"].Value, $"there are two orders with id '{id}'.");
            }

            orders.Add(new Order(
                id,
                y.String(y.Required(k, map, "customer", "An order"), "customer"),
                total,
                k.TryGetValue("status", out var s) ? y.String(s.Value, "status") : "delivered",
                k.TryGetValue("item", out var i) ? y.String(i.Value, "item") : string.Empty));
        }

        return orders;
    }

    private static List<Document> Documents(YamlNodes y, YamlNode node) =>
        [.. y.Sequence(node, "documents").Children.Select(item =>
        {
            var map = y.Mapping(item, "a document");
            var k = y.Keys(map, "a document", "id", "title", "text");
            return new Document(
                y.String(y.Required(k, map, "id", "A document"), "id"),
                k.TryGetValue("title", out var t) ? y.String(t.Value, "title") : string.Empty,
                y.String(y.Required(k, map, "text", "A document"), "text"));
        })];

    private static List<StockItem> Inventory(YamlNodes y, YamlNode node) =>
        [.. y.Sequence(node, "inventory").Children.Select(item =>
        {
            var map = y.Mapping(item, "an inventory item");
            var k = y.Keys(map, "an inventory item", "sku", "name", "stock", "flaky_failures");
            return new StockItem(
                y.String(y.Required(k, map, "sku", "An inventory item"), "sku"),
                k.TryGetValue("name", out var n) ? y.String(n.Value, "name") : string.Empty,
                y.Int(y.Required(k, map, "stock", "An inventory item"), "stock", 0),
                k.TryGetValue("flaky_failures", out var f) ? y.Int(f.Value, "flaky_failures", 0) : 0);
        })];
}
