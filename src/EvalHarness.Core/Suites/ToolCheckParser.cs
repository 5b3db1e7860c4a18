using EvalHarness.Cassettes.Format;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>Reads a scenario's <c>call</c>: a direct call of one of the agent's tool servers (<see cref="ToolCheck"/>).</summary>
internal static class ToolCheckParser
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    public static ToolCheck Parse(YamlNodes y, YamlNode node, IReadOnlyList<Variant> variants, string scenario)
    {
        var what = $"scenario '{scenario}': call";
        var keys = y.Keys(y.Mapping(node, what), what, ["mcp", "tool", "args", "http", "body", .. Methods]);
        if (keys.ContainsKey("mcp") == keys.ContainsKey("http"))
        {
            throw y.Error(node, $"{what} names either an MCP server ({{ mcp: inventory, tool: check_stock, args: {{ … }} }}) or an HTTP API ({{ http: prices, get: /price?sku=A1 }}).");
        }

        var kind = keys.ContainsKey("mcp") ? ToolKinds.Mcp : ToolKinds.Http;
        var serverNode = keys[kind].Value;
        var server = y.String(serverNode, $"{what}.{kind}");
        var declared = variants.SelectMany(v => v.Agent.ToolServers).Where(s => s.Kind == kind).Select(s => s.Name).Distinct().ToList();
        if (!declared.Contains(server))
        {
            throw y.Error(serverNode, declared.Count == 0
                ? $"{what}.{kind}: the agent names no {kind} server; add agent.{kind}.{server}."
                : $"{what}.{kind}: '{server}' is not one of agent.{kind} ({string.Join(", ", declared)}).");
        }

        if (kind == ToolKinds.Mcp)
        {
            foreach (var key in Methods.Append("body").Where(keys.ContainsKey))
            {
                throw y.Error(keys[key].Key, $"{what}: '{key}' is for an HTTP API; an MCP call takes tool and args.");
            }

            var tool = y.String(y.Required(keys, node, "tool", what), $"{what}.tool");
            var args = keys.TryGetValue("args", out var a) ? YamlJson.ToElement(y.Mapping(a.Value, $"{what}.args")) : YamlJson.ToElement(new YamlMappingNode());
            return new ToolCheck(kind, server, tool, args, null, null, null);
        }

        foreach (var key in new[] { "tool", "args" }.Where(keys.ContainsKey))
        {
            throw y.Error(keys[key].Key, $"{what}: '{key}' is for an MCP server; an HTTP call takes get, post, put, patch or delete, and body.");
        }

        var methods = Methods.Where(keys.ContainsKey).ToList();
        if (methods.Count != 1)
        {
            throw y.Error(node, $"{what} needs one method and path: get: /price?sku=A1 (or post, put, patch, delete).");
        }

        var path = y.String(keys[methods[0]].Value, $"{what}.{methods[0]}");
        return new ToolCheck(kind, server, null, null, methods[0].ToUpperInvariant(), path.StartsWith('/') ? path : "/" + path,
            keys.TryGetValue("body", out var b) ? YamlJson.ToElement(b.Value) : null);
    }
}
