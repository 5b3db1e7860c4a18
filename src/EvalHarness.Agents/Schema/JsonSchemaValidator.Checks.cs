using System.Text.Json;
using Json.Schema;

namespace EvalHarness.Agents.Schema;

/// <summary>The checks a schema passes when its validator is built, each naming the path of what is wrong.</summary>
public sealed partial class JsonSchemaValidator
{
    /// <summary>A <c>type</c> that names no JSON Schema type, with its path (the library says only that it has no such value).</summary>
    private static string? BadType(JsonElement schema) => FirstProblem(schema, "$", (property, here) =>
    {
        if (property.Name != "type")
        {
            return null;
        }

        string[] named = property.Value.ValueKind switch
        {
            JsonValueKind.String => [property.Value.GetString()!],
            JsonValueKind.Array => [.. property.Value.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)],
            _ => [],
        };
        return named.FirstOrDefault(t => !Types.Contains(t)) is { } bad
            ? $"{here}: '{bad}' is not a JSON Schema type (use {string.Join(", ", Types)})."
            : null;
    });

    /// <summary>
    /// A <c>$ref</c> that points nowhere in this schema (<c>#/$defs/orderID</c> for <c>orderId</c>), or outside it: the
    /// harness fetches no schema from elsewhere, so only references into the schema itself (<c>#…</c>) can resolve.
    /// </summary>
    private static string? BadReference(JsonElement schema) => FirstProblem(schema, "$", (property, here) =>
    {
        if (property.Name is not ("$ref" or "$dynamicRef") || property.Value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var reference = property.Value.GetString()!;
        if (!reference.StartsWith('#'))
        {
            return $"{here}: '{reference}' is not a reference into this schema; only local ones (#/$defs/…) resolve, as nothing is fetched.";
        }

        var resolves = reference.Length == 1
            || (reference[1] == '/' ? Find(schema, Uri.UnescapeDataString(reference[1..])) is not null : HasAnchor(schema, reference[1..]));
        return resolves ? null : $"{here}: '{reference}' points to nothing in this schema. Check the name under $defs.";
    });

    /// <summary>Whether some schema in <paramref name="schema"/> declares <c>$anchor</c> (or <c>$dynamicAnchor</c>) <paramref name="name"/>.</summary>
    private static bool HasAnchor(JsonElement schema, string name) => FirstProblem(schema, "$", (property, here) =>
        property.Name is "$anchor" or "$dynamicAnchor" && property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() == name ? here : null) is not null;

    /// <summary>
    /// Walks every property of <paramref name="node"/> and of the objects and arrays inside it, depth first, and returns
    /// the first thing <paramref name="check"/> says of one (given the property and its path), or null.
    /// </summary>
    private static string? FirstProblem(JsonElement node, string path, Func<JsonProperty, string, string?> check)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    var here = Child(path, property.Name);
                    if ((check(property, here) ?? FirstProblem(property.Value, here, check)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in node.EnumerateArray())
                {
                    if (FirstProblem(item, $"{path}[{i++}]", check) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>The first keyword JSON Schema does not define, in the schema or any schema inside it.</summary>
    private static string? Unknown(JsonSchema schema, string path)
    {
        foreach (var keyword in schema.Keywords ?? [])
        {
            if (keyword is UnrecognizedKeyword unrecognized && !EditorAnnotations.Contains(unrecognized.Name))
            {
                return $"{Child(path, unrecognized.Name)}: '{unrecognized.Name}' is not a JSON Schema keyword, so it would check nothing. Remove it or correct its spelling.";
            }

            var name = SchemaKeywordRegistry.Keyword(keyword);
            var inner = keyword switch
            {
                ISchemaContainer { Schema: { } one } => Unknown(one, Child(path, name)),
                ISchemaCollector many => many.Schemas.Select((s, i) => Unknown(s, $"{Child(path, name)}[{i}]")).FirstOrDefault(e => e is not null),
                IKeyedSchemaCollector keyed => keyed.Schemas.Select(kv => Unknown(kv.Value, Child(Child(path, name), kv.Key))).FirstOrDefault(e => e is not null),
                _ => null,
            };
            if (inner is not null)
            {
                return inner;
            }
        }

        return null;
    }
}
