using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvalHarness.Agents.Tools;

/// <summary>
/// Refuses tool calls whose arguments look like an attack before the tool runs: chained shell commands,
/// destructive SQL, and paths that climb out of their folder. A refusal is an observation for the model.
/// </summary>
public static partial class ToolGuard
{
    /// <summary>Returns why the arguments are refused, or null when they look safe.</summary>
    public static string? Check(string toolName, JsonElement arguments)
    {
        foreach (var (path, text) in Strings(arguments, "$"))
        {
            if (ShellChain().IsMatch(text))
            {
                return $"the argument {path} chains shell commands ({ShellChain().Match(text).Value.Trim()})";
            }

            if (DestructiveSql().IsMatch(text))
            {
                return $"the argument {path} holds destructive SQL ({DestructiveSql().Match(text).Value})";
            }

            if (PathTraversal().IsMatch(text))
            {
                return $"the argument {path} climbs out of its folder ({PathTraversal().Match(text).Value})";
            }
        }

        return null;
    }

    private static IEnumerable<(string Path, string Text)> Strings(JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                yield return (path, value.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    foreach (var item in Strings(property.Value, $"{path}.{property.Name}"))
                    {
                        yield return item;
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var element in value.EnumerateArray())
                {
                    foreach (var item in Strings(element, $"{path}[{index++}]"))
                    {
                        yield return item;
                    }
                }

                break;
        }
    }

    /// <summary>A command separator or substitution followed by a command: <c>; rm</c>, <c>&amp;&amp; curl</c>, <c>| sh</c>, <c>$(…)</c>, backticks.</summary>
    [GeneratedRegex(@"(;|&&|\|\||\|)\s*(rm|curl|wget|sh|bash|nc|chmod|chown|sudo|cat|python|perl|mkfs|dd)\b|\$\([^)]*\)|`[^`]+`", RegexOptions.IgnoreCase)]
    private static partial Regex ShellChain();

    [GeneratedRegex(@"\b(DROP\s+(TABLE|DATABASE|SCHEMA)|TRUNCATE\s+TABLE|DELETE\s+FROM\s+\w+\s*(;|$|--)|ALTER\s+TABLE\s+\w+\s+DROP)", RegexOptions.IgnoreCase)]
    private static partial Regex DestructiveSql();

    [GeneratedRegex(@"(^|[\\/])\.\.([\\/]|$)|^(/etc/|/root/|~/|[A-Za-z]:\\Windows)", RegexOptions.IgnoreCase)]
    private static partial Regex PathTraversal();
}
