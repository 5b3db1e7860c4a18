using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.Agents.Schema;

/// <summary>
/// Validates JSON values against the subset of JSON Schema that tool parameters and structured answers
/// use: <c>type</c> (one or a list), <c>properties</c>, <c>required</c>, <c>additionalProperties: false</c>,
/// <c>items</c>, <c>enum</c>, <c>const</c>, <c>minimum</c>/<c>maximum</c>, <c>minLength</c>/<c>maxLength</c>,
/// <c>pattern</c>, <c>minItems</c>/<c>maxItems</c>. Keywords outside the subset are rejected when the
/// validator is built, so a schema never silently checks less than it says.
/// </summary>
public sealed class JsonSchemaValidator
{
    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "description", "title", "default", "$schema", "examples", "format", "$ref", "$defs", "$id", "markdownDescription",
    };

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "object", "array", "string", "number", "integer", "boolean", "null" };

    private readonly JsonElement _schema;

    private JsonSchemaValidator(JsonElement schema) => _schema = schema;

    /// <summary>Builds a validator, checking the schema itself.</summary>
    /// <exception cref="ArgumentException">The schema is not an object, uses an unsupported keyword or has a bad value; the message names the path.</exception>
    public static JsonSchemaValidator Create(JsonElement schema)
    {
        CheckSchema(schema, "$", schema);
        return new JsonSchemaValidator(schema.Clone());
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

    /// <summary>The schema.</summary>
    public JsonElement Schema => _schema;

    /// <summary>Validates <paramref name="value"/>; returns the errors, each <c>path: what is wrong</c>, or an empty list.</summary>
    public IReadOnlyList<string> Validate(JsonElement value)
    {
        var errors = new List<string>();
        Validate(_schema, value, "$", errors, _schema);
        return errors;
    }

    private static void Validate(JsonElement schema, JsonElement value, string path, List<string> errors, JsonElement root)
    {
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            schema = Resolve(root, reference.GetString()!)!.Value;
        }

        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return;
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            errors.Add($"{path}: expected {Describe(type)}, got {KindOf(value)}");
            return;
        }

        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(o, value)))
        {
            errors.Add($"{path}: must be one of {string.Join(", ", options.EnumerateArray().Select(o => o.GetRawText()))}, got {value.GetRawText()}");
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{path}: must be {constant.GetRawText()}, got {value.GetRawText()}");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                ValidateObject(schema, value, path, errors, root);
                break;
            case JsonValueKind.Array:
                ValidateArray(schema, value, path, errors, root);
                break;
            case JsonValueKind.String:
                ValidateString(schema, value.GetString()!, path, errors);
                break;
            case JsonValueKind.Number:
                ValidateNumber(schema, value.GetDouble(), path, errors);
                break;
        }
    }

    private static void ValidateObject(JsonElement schema, JsonElement value, string path, List<string> errors, JsonElement root)
    {
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    errors.Add($"{path}.{name}: is required but missing");
                }
            }
        }

        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        foreach (var property in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Validate(propertySchema, property.Value, $"{path}.{property.Name}", errors, root);
            }
            else if (schema.TryGetProperty("additionalProperties", out var additional))
            {
                if (additional.ValueKind == JsonValueKind.False)
                {
                    errors.Add($"{path}.{property.Name}: is not an allowed property");
                }
                else if (additional.ValueKind == JsonValueKind.Object)
                {
                    Validate(additional, property.Value, $"{path}.{property.Name}", errors, root);
                }
            }
        }
    }

    private static void ValidateArray(JsonElement schema, JsonElement value, string path, List<string> errors, JsonElement root)
    {
        var count = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var min) && count < min.GetInt32())
        {
            errors.Add($"{path}: needs at least {min.GetInt32()} item(s), has {count}");
        }

        if (schema.TryGetProperty("maxItems", out var max) && count > max.GetInt32())
        {
            errors.Add($"{path}: allows at most {max.GetInt32()} item(s), has {count}");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(items, item, $"{path}[{index++}]", errors, root);
            }
        }
    }

    private static void ValidateString(JsonElement schema, string value, string path, List<string> errors)
    {
        if (schema.TryGetProperty("minLength", out var min) && value.Length < min.GetInt32())
        {
            errors.Add($"{path}: must be at least {min.GetInt32()} character(s) long");
        }

        if (schema.TryGetProperty("maxLength", out var max) && value.Length > max.GetInt32())
        {
            errors.Add($"{path}: must be at most {max.GetInt32()} character(s) long");
        }

        if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(value, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{path}: must match the pattern {pattern.GetString()}");
        }
    }

    private static void ValidateNumber(JsonElement schema, double value, string path, List<string> errors)
    {
        if (schema.TryGetProperty("minimum", out var min) && value < min.GetDouble())
        {
            errors.Add($"{path}: must be at least {Number(min)}, got {value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (schema.TryGetProperty("maximum", out var max) && value > max.GetDouble())
        {
            errors.Add($"{path}: must be at most {Number(max)}, got {value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (schema.TryGetProperty("exclusiveMinimum", out var xmin) && xmin.ValueKind == JsonValueKind.Number && value <= xmin.GetDouble())
        {
            errors.Add($"{path}: must be more than {Number(xmin)}, got {value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (schema.TryGetProperty("exclusiveMaximum", out var xmax) && xmax.ValueKind == JsonValueKind.Number && value >= xmax.GetDouble())
        {
            errors.Add($"{path}: must be less than {Number(xmax)}, got {value.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(t => TypeMatches(t.GetString()!, value))
        : TypeMatches(type.GetString()!, value);

    private static bool TypeMatches(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static string Describe(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString()))
        : type.GetString()!;

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()}",
        _ => "null",
    };

    private static string Number(JsonElement e) => e.GetRawText();

    /// <summary>Resolves a local reference such as <c>#/$defs/agent</c>; null when it points nowhere.</summary>
    private static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var current = root;
        foreach (var part in reference[2..].Split('/'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal), out current))
            {
                return null;
            }
        }

        return current;
    }

    private static void CheckSchema(JsonElement schema, string path, JsonElement root)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"{path}: a schema must be an object (or true/false).");
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Supported.Contains(keyword.Name))
            {
                throw new ArgumentException($"{path}: the keyword '{keyword.Name}' is not supported. Supported: {string.Join(", ", Supported.Order(StringComparer.Ordinal))}.");
            }
        }

        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference)
            && (reference.ValueKind != JsonValueKind.String || Resolve(root, reference.GetString()!) is null))
        {
            throw new ArgumentException($"{path}.$ref: '{reference}' does not point to a schema in this document (use #/$defs/name).");
        }

        if (schema.TryGetProperty("$defs", out var defs) && defs.ValueKind == JsonValueKind.Object)
        {
            foreach (var definition in defs.EnumerateObject())
            {
                CheckSchema(definition.Value, $"{path}.$defs.{definition.Name}", root);
            }
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToList() : [type.ValueKind == JsonValueKind.String ? type.GetString() : null];
            foreach (var name in names.Where(n => n is null || !Types.Contains(n)))
            {
                throw new ArgumentException($"{path}.type: '{name}' is not a JSON Schema type; use one of {string.Join(", ", Types)}.");
            }
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"{path}.properties: must be an object of schemas.");
            }

            foreach (var property in properties.EnumerateObject())
            {
                CheckSchema(property.Value, $"{path}.properties.{property.Name}", root);
            }
        }

        if (schema.TryGetProperty("required", out var required) && (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String)))
        {
            throw new ArgumentException($"{path}.required: must be a list of property names.");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            CheckSchema(items, $"{path}.items", root);
        }

        if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
        {
            CheckSchema(additional, $"{path}.additionalProperties", root);
        }

        if (schema.TryGetProperty("pattern", out var pattern))
        {
            try
            {
                _ = new Regex(pattern.GetString() ?? string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"{path}.pattern: not a valid regular expression ({ex.Message}).", ex);
            }
        }

        foreach (var numeric in new[] { "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems" })
        {
            if (schema.TryGetProperty(numeric, out var n) && n.ValueKind != JsonValueKind.Number)
            {
                throw new ArgumentException($"{path}.{numeric}: must be a number.");
            }
        }

        if (schema.TryGetProperty("enum", out var options) && options.ValueKind != JsonValueKind.Array)
        {
            throw new ArgumentException($"{path}.enum: must be a list of allowed values.");
        }
    }
}
