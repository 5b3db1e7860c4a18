using System.Text.Json;
using Json.Schema;

namespace EvalHarness.Agents.Schema;

/// <summary>
/// Validates JSON values against a JSON Schema (draft 2020-12, with <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>/<c>$ref</c>
/// and the rest) through JsonSchema.Net, and words what is wrong as <c>$.path: what</c> lines a model can act on.
/// A schema is checked when the validator is built: a keyword JSON Schema does not know (<c>requird</c>) is refused,
/// so a schema never silently checks less than it says.
/// </summary>
public sealed partial class JsonSchemaValidator
{
    private static readonly EvaluationOptions ListOutput = new() { OutputFormat = OutputFormat.List };

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "object", "array", "string", "number", "integer", "boolean", "null" };

    /// <summary>Annotations editors add to schemas (VS Code's), which JSON Schema itself does not define.</summary>
    private static readonly HashSet<string> EditorAnnotations = new(StringComparer.Ordinal) { "markdownDescription", "deprecationMessage", "errorMessage" };

    /// <summary>The most schemas kept built, by their text: a run builds the same tools' schemas for every case.</summary>
    private const int MaxBuilt = 1024;

    /// <summary>Validators already built, by the schema's text (a validator is immutable, so cases can share it).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchemaValidator> Built = new(StringComparer.Ordinal);

    private readonly JsonSchema _validator;

    private JsonSchemaValidator(JsonElement schema, JsonSchema validator)
    {
        Schema = schema;
        _validator = validator;
    }

    /// <summary>The schema, as given.</summary>
    public JsonElement Schema { get; }

    /// <summary>Builds a validator, checking the schema itself.</summary>
    /// <exception cref="ArgumentException">The schema is not an object, has an unknown keyword or a bad value; the message names the path.</exception>
    public static JsonSchemaValidator Create(JsonElement schema)
    {
        var text = schema.ValueKind == JsonValueKind.Undefined ? string.Empty : schema.GetRawText();
        if (Built.TryGetValue(text, out var built))
        {
            return built;
        }

        var validator = Build(schema);
        if (Built.Count < MaxBuilt)
        {
            Built.TryAdd(text, validator);
        }

        return validator;
    }

    private static JsonSchemaValidator Build(JsonElement schema)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw new ArgumentException($"A JSON Schema is an object (or true/false), not {schema.ValueKind.ToString().ToLowerInvariant()}.", nameof(schema));
        }

        if (BadType(schema) is { } badType)
        {
            throw new ArgumentException(badType, nameof(schema));
        }

        if (BadReference(schema) is { } badReference)
        {
            throw new ArgumentException(badReference, nameof(schema));
        }

        JsonSchema parsed;
        try
        {
            parsed = schema.Deserialize<JsonSchema>() ?? throw new ArgumentException("The schema is empty.", nameof(schema));
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"The schema is not a valid JSON Schema: {ex.Message}", nameof(schema), ex);
        }

        if (Unknown(parsed, "$") is { } unknown)
        {
            throw new ArgumentException(unknown, nameof(schema));
        }

        return new JsonSchemaValidator(schema.Clone(), parsed);
    }

    /// <summary>Parses and builds a validator from schema text.</summary>
    /// <exception cref="ArgumentException">The text is not JSON or not a usable schema.</exception>
    public static JsonSchemaValidator Parse(string schemaJson)
    {
        try
        {
            using var document = JsonDocument.Parse(schemaJson);
            return Create(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The schema is not valid JSON: {ex.Message}", nameof(schemaJson), ex);
        }
    }

    /// <summary>
    /// Validates <paramref name="value"/>; returns the errors, each <c>path: what is wrong</c>, in the value's order
    /// (an object's missing properties before its own), or an empty list.
    /// </summary>
    public IReadOnlyList<string> Validate(JsonElement value)
    {
        EvaluationResults results;
        try
        {
            results = _validator.Evaluate(value, ListOutput);
        }
        catch (Exception ex) when (ex is JsonSchemaException or InvalidOperationException or ArgumentException)
        {
            // A schema that passed its checks at load and still cannot be evaluated: a failed check, not a crash.
            return [$"$: the schema could not be evaluated ({ex.Message})"];
        }

        if (results.IsValid)
        {
            return [];
        }

        var errors = new List<(IReadOnlyList<int> Order, string Text)>();
        foreach (var detail in results.Details.Where(d => d.HasErrors))
        {
            var pointer = detail.InstanceLocation?.ToString() ?? string.Empty;
            var here = Find(value, pointer);
            var schema = detail.SchemaLocation is { Fragment.Length: > 1 } location ? Find(Schema, Uri.UnescapeDataString(location.Fragment[1..])) : Schema;
            foreach (var (keyword, message) in detail.Errors!)
            {
                errors.AddRange(Words(keyword, message, pointer, here, schema, detail).Select(e => (Order(value, e.Pointer), e.Text)));
            }
        }

        return [.. errors.OrderBy(e => e.Order, OrderComparer.Instance).Select(e => e.Text).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>What is wrong, worded from the schema's own values where it has them, else the library's message.</summary>
    private static IEnumerable<(string Pointer, string Text)> Words(string keyword, string message, string pointer, JsonElement? value, JsonElement? schema, EvaluationResults detail)
    {
        var path = PathOf(pointer);
        JsonElement rule = default;
        var has = schema is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty(keyword, out rule);
        switch (keyword)
        {
            case "required" when has && value is { ValueKind: JsonValueKind.Object } obj:
                foreach (var name in rule.EnumerateArray().Select(r => r.GetString()!).Where(n => !obj.TryGetProperty(n, out _)))
                {
                    yield return ($"{pointer}/{name}", $"{Child(path, name)}: is required but missing");
                }

                yield break;
            case "" or "false" when message.Contains("false schema", StringComparison.Ordinal):
                yield return (pointer, detail.EvaluationPath.ToString().EndsWith("/additionalProperties", StringComparison.Ordinal)
                    ? $"{path}: is not an allowed property"
                    : $"{path}: no value is allowed here");
                yield break;
            case "type" when has && value is { } got:
                yield return (pointer, $"{path}: expected {(rule.ValueKind == JsonValueKind.Array ? string.Join(" or ", rule.EnumerateArray().Select(t => t.GetString())) : rule.GetString())}, got {KindOf(got)}");
                yield break;
            case "enum" when has && value is { } got:
                yield return (pointer, $"{path}: must be one of {string.Join(", ", rule.EnumerateArray().Select(o => o.GetRawText()))}, got {got.GetRawText()}");
                yield break;
            case "const" when has && value is { } got:
                yield return (pointer, $"{path}: must be {rule.GetRawText()}, got {got.GetRawText()}");
                yield break;
            case "minItems" when has && value is { ValueKind: JsonValueKind.Array } list:
                yield return (pointer, $"{path}: needs at least {rule.GetRawText()} item(s), has {list.GetArrayLength()}");
                yield break;
            case "maxItems" when has && value is { ValueKind: JsonValueKind.Array } list:
                yield return (pointer, $"{path}: allows at most {rule.GetRawText()} item(s), has {list.GetArrayLength()}");
                yield break;
            case "minLength" when has:
                yield return (pointer, $"{path}: must be at least {rule.GetRawText()} character(s) long");
                yield break;
            case "maxLength" when has:
                yield return (pointer, $"{path}: must be at most {rule.GetRawText()} character(s) long");
                yield break;
            case "pattern" when has:
                yield return (pointer, $"{path}: must match the pattern {rule.GetString()}");
                yield break;
            case "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" when has && value is { } got:
                var bound = keyword switch { "minimum" => "at least", "maximum" => "at most", "exclusiveMinimum" => "more than", _ => "less than" };
                yield return (pointer, $"{path}: must be {bound} {rule.GetRawText()}, got {got.GetRawText()}");
                yield break;
            default:
                yield return (pointer, $"{path}: {message}");
                yield break;
        }
    }

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };

    /// <summary>
    /// Where a pointer falls in the value: the index of each step among its parent's members, and -1 for a member the
    /// value lacks (a missing property comes before the ones present, as a reader checks them).
    /// </summary>
    private static IReadOnlyList<int> Order(JsonElement root, string pointer)
    {
        var order = new List<int>();
        var current = (JsonElement?)root;
        foreach (var segment in Segments(pointer))
        {
            var index = -1;
            JsonElement? next = null;
            if (current is { ValueKind: JsonValueKind.Object } obj)
            {
                var i = 0;
                foreach (var property in obj.EnumerateObject())
                {
                    if (property.Name == segment)
                    {
                        (index, next) = (i, property.Value);
                        break;
                    }

                    i++;
                }
            }
            else if (current is { ValueKind: JsonValueKind.Array } array && int.TryParse(segment, out var at) && at < array.GetArrayLength())
            {
                (index, next) = (at, array[at]);
            }

            order.Add(index);
            current = next;
        }

        return order;
    }

    /// <summary>Orders step lists as a depth-first walk of the value: a parent before its members.</summary>
    private sealed class OrderComparer : IComparer<IReadOnlyList<int>>
    {
        public static readonly OrderComparer Instance = new();

        public int Compare(IReadOnlyList<int>? x, IReadOnlyList<int>? y)
        {
            for (var i = 0; i < Math.Min(x!.Count, y!.Count); i++)
            {
                if (x[i] != y[i])
                {
                    return x[i].CompareTo(y[i]);
                }
            }

            return x.Count.CompareTo(y.Count);
        }
    }

    /// <summary>The value at a JSON Pointer in <paramref name="root"/>, if there is one.</summary>
    private static JsonElement? Find(JsonElement root, string? pointer)
    {
        var current = root;
        foreach (var segment in Segments(pointer ?? string.Empty))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static IEnumerable<string> Segments(string pointer) =>
        pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));

    /// <summary><c>/tags/2</c> as <c>$.tags[2]</c>.</summary>
    private static string PathOf(string pointer) => Segments(pointer).Aggregate("$", Child);

    private static string Child(string path, string segment) => segment.All(char.IsAsciiDigit) && segment.Length > 0 ? $"{path}[{segment}]" : $"{path}.{segment}";
}
