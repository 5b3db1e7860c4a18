using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Tools;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>
/// Reads an agent's tool servers: <c>mcp:</c> (each a stdio <c>command</c> or a streamable HTTP <c>url</c>) and
/// <c>http:</c> (each a base URL, or <c>{ url, headers }</c>). Values may name environment variables,
/// <c>${DOCS_TOKEN}</c> or <c>${PRICES_URL:-http://127.0.0.1:5081}</c>, so a token never has to be in the suite.
/// </summary>
internal static partial class ToolServerParser
{
    /// <summary>The agent keys this parser reads.</summary>
    public static readonly string[] Keys = ["mcp", "http"];

    /// <summary>The agent's tool servers; <c>http:</c> is skipped when <paramref name="httpIsTheAgent"/> (a served agent, <c>http: { url, … }</c>).</summary>
    public static IReadOnlyList<ToolServer> Parse(YamlNodes y, KeyMap keys, SuiteRoot root, bool httpIsTheAgent = false)
    {
        var servers = new List<ToolServer>();
        if (keys.TryGetValue("mcp", out var mcp))
        {
            foreach (var (nameNode, value) in y.Mapping(mcp.Value, "mcp").Children)
            {
                servers.Add(y.Try(() => Mcp(y, Name(y, nameNode, "mcp"), value, root), null!));
            }
        }

        if (!httpIsTheAgent && keys.TryGetValue("http", out var http))
        {
            foreach (var (nameNode, value) in y.Mapping(http.Value, "http").Children)
            {
                servers.Add(y.Try(() => Http(y, Name(y, nameNode, "http"), value), null!));
            }
        }

        return [.. servers.Where(s => s is not null)];
    }

    private static string Name(YamlNodes y, YamlNode node, string kind)
    {
        var name = y.String(node, $"a {kind} server's name");
        return name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? name
            : throw y.Error(node, $"'{name}' is not a usable {kind} server name: use letters, digits, '_' and '-' (it becomes part of a URL and of EVALH_{kind.ToUpperInvariant()}_<NAME>_URL).");
    }

    private static ToolServer Mcp(YamlNodes y, string name, YamlNode node, SuiteRoot root)
    {
        var what = $"mcp.{name}";
        var keys = y.Keys(y.Mapping(node, what), what, "command", "url", "env", "headers", "cwd", "per", "timeout_s");
        if (keys.ContainsKey("command") == keys.ContainsKey("url"))
        {
            throw y.Error(node, $"{what} needs either command: [program, arguments…] (a stdio server the harness starts) or url: (a streamable HTTP server), not {(keys.ContainsKey("url") ? "both" : "neither")}.");
        }

        var unset = new List<string>();
        var server = new ToolServer
        {
            Name = name,
            Kind = ToolKinds.Mcp,
            Command = keys.TryGetValue("command", out var c) ? Command(y, c.Value, what) : [],
            Url = keys.TryGetValue("url", out var u) ? Url(y, u.Value, $"{what}.url", unset) : null,
            Env = keys.TryGetValue("env", out var e) ? Map(y, e.Value, $"{what}.env", unset) : new Dictionary<string, string>(StringComparer.Ordinal),
            Headers = keys.TryGetValue("headers", out var h) ? Map(y, h.Value, $"{what}.headers", unset) : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
            WorkingDirectory = keys.TryGetValue("cwd", out var w) ? root.Resolve(y, w.Value, y.String(w.Value, "cwd"), $"{what}.cwd") : root.BaseDirectory,
            PerRun = keys.TryGetValue("per", out var p) && Per(y, p.Value, what),
            Timeout = keys.TryGetValue("timeout_s", out var t) ? TimeSpan.FromSeconds((double)y.Decimal(t.Value, $"{what}.timeout_s", 0, exclusive: true)) : TimeSpan.FromSeconds(30),
            Unset = unset,
        };
        if (server.PerRun && server.Url is not null)
        {
            throw y.Error(keys["per"].Value, $"{what}: per: run is for a stdio server the harness starts; an HTTP server is reached as it runs.");
        }

        return server;
    }

    private static ToolServer Http(YamlNodes y, string name, YamlNode node)
    {
        var what = $"http.{name}";
        var unset = new List<string>();
        if (node is YamlScalarNode)
        {
            return new ToolServer { Name = name, Kind = ToolKinds.Http, Url = Url(y, node, what, unset), Unset = unset };
        }

        var keys = y.Keys(y.Mapping(node, what), what, "url", "headers", "timeout_s");
        return new ToolServer
        {
            Name = name,
            Kind = ToolKinds.Http,
            Url = Url(y, y.Required(keys, node, "url", what), $"{what}.url", unset),
            Headers = keys.TryGetValue("headers", out var h) ? Map(y, h.Value, $"{what}.headers", unset) : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
            Timeout = keys.TryGetValue("timeout_s", out var t) ? TimeSpan.FromSeconds((double)y.Decimal(t.Value, $"{what}.timeout_s", 0, exclusive: true)) : TimeSpan.FromSeconds(30),
            Unset = unset,
        };
    }

    private static bool Per(YamlNodes y, YamlNode node, string what) => y.String(node, $"{what}.per") switch
    {
        "run" => true,
        "case" => false,
        var other => throw y.Error(node, $"{what}.per is '{other}': use case (a fresh server for each case, the default) or run (one for the whole run)."),
    };

    private static IReadOnlyList<string> Command(YamlNodes y, YamlNode node, string what)
    {
        var command = node is YamlScalarNode
            ? throw y.Error(node, $"{what}.command is a list: the program and its arguments, e.g. [node, inventory-server.mjs].")
            : y.Strings(node, $"{what}.command");
        return command.Count > 0 && command[0].Length > 0 ? command : throw y.Error(node, $"{what}.command is empty: give the program and its arguments.");
    }

    /// <summary>
    /// A URL, its variables expanded. An unset variable with no default is noted, not an error: a replay reaches no
    /// server, so only a recording needs it (and says so).
    /// </summary>
    private static Uri Url(YamlNodes y, YamlNode node, string what, List<string> unset)
    {
        var before = unset.Count;
        var text = Expand(y.String(node, what), unset);
        if (unset.Count > before)
        {
            return new Uri("http://unset.invalid/");
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw y.Error(node, $"{what} is '{text}': give an absolute http:// or https:// URL.");
    }

    private static Dictionary<string, string> Map(YamlNodes y, YamlNode node, string what, List<string> unset) =>
        y.Mapping(node, what).Children.ToDictionary(
            kv => y.String(kv.Key, $"a name in {what}"),
            kv => Expand(y.String(kv.Value, what), unset),
            what.EndsWith("headers", StringComparison.Ordinal) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    /// <summary>Replaces <c>${NAME}</c> and <c>${NAME:-default}</c> with the environment's values; names an unset one in <paramref name="unset"/>.</summary>
    public static string Expand(string text, List<string> unset) => Variable().Replace(text, match =>
    {
        var name = match.Groups["name"].Value;
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
        {
            return value;
        }

        if (match.Groups["default"].Success)
        {
            return match.Groups["default"].Value;
        }

        unset.Add(name);
        return string.Empty;
    });

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}")]
    private static partial Regex Variable();
}
