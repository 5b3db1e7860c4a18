using System.Text.Json;
using EvalHarness.Core.Assertions;
using EvalHarness.Core.UnderTest;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Core.Suites;

/// <summary>
/// Reads a served agent, <c>agent: { http: { url, start, headers, body, output, state, session, protocol, timeout_s } }</c>
/// (docs/served-agents.md). An <c>http:</c> with a <c>url</c> is the agent itself; without one it is the agent's HTTP
/// APIs (docs/tools.md), so no HTTP API can be named <c>url</c>.
/// </summary>
internal static class ServedAgentParser
{
    /// <summary>Whether <paramref name="agent"/>'s <c>http:</c> is a served agent: a mapping with a <c>url</c>.</summary>
    public static bool IsServed(YamlMappingNode agent) =>
        agent.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "http" }).Value is YamlMappingNode http
        && http.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == "url");

    public static OwnAgent Parse(YamlNodes y, YamlNode node, SuiteRoot root, ModelRef model)
    {
        var keys = y.Keys(y.Mapping(node, "http"), "http", "url", "start", "headers", "body", "output", "state", "session", "protocol", "timeout_s");
        var url = Url(y, keys["url"].Value, "agent.http.url");
        var protocol = keys.TryGetValue("protocol", out var p) ? y.String(p.Value, "protocol") : null;
        if (protocol is not null && !ServedAgent.Protocols.Contains(protocol))
        {
            throw y.Error(p!.Value, $"agent.http.protocol '{protocol}' is not one of {string.Join(", ", ServedAgent.Protocols)}; leave it out for an endpoint of your own (body: and output:).");
        }

        foreach (var key in new[] { "body", "output", "state", "session" }.Where(k => protocol is not null && keys.ContainsKey(k)))
        {
            throw y.Error(keys[key].Key, $"agent.http.{key} is for an endpoint of your own; protocol: {protocol} says what is sent and read.");
        }

        var served = new ServedAgent
        {
            Url = url,
            Start = keys.TryGetValue("start", out var s) ? Start(y, s.Value, root, model) : null,
            Headers = keys.TryGetValue("headers", out var h) ? Headers(y, h.Value) : new Dictionary<string, string>(),
            Body = keys.TryGetValue("body", out var b) ? Body(y, b.Value) : null,
            Output = keys.TryGetValue("output", out var o) ? Path(y, o.Value, "output") : null,
            State = keys.TryGetValue("state", out var st) ? Path(y, st.Value, "state") : null,
            Session = keys.TryGetValue("session", out var se) ? Path(y, se.Value, "session") : null,
            Protocol = protocol,
            Timeout = keys.TryGetValue("timeout_s", out var to) ? TimeSpan.FromSeconds((double)y.Decimal(to.Value, "timeout_s", 0, exclusive: true)) : TimeSpan.FromSeconds(120),
        };
        if (served.Body is not null && served.Output is null)
        {
            throw y.Error(keys["body"].Key, "agent.http.body needs output: the JSON path of the answer in the service's response, e.g. output: \"$.reply\".");
        }

        if (served.State is not null && served.Output is null)
        {
            throw y.Error(keys["state"].Key, "agent.http.state needs output: the JSON path of the answer, e.g. output: \"$.reply\".");
        }

        if (served.Session is not null && served.Body?.GetRawText().Contains("session", StringComparison.Ordinal) != true)
        {
            throw y.Error(keys["session"].Key, "agent.http.session reads a session id to send back, but the body never sends it: put \"{{session}}\" in body:, e.g. body: { message: \"{{input}}\", session_id: \"{{session}}\" }.");
        }

        return new OwnAgent { Description = $"http: POST {url}", Served = served };
    }

    private static ServiceStart Start(YamlNodes y, YamlNode node, SuiteRoot root, ModelRef model)
    {
        var keys = y.Keys(y.Mapping(node, "start"), "start", "command", "env", "cwd", "ready", "ready_timeout_s");
        var command = OwnAgentParser.Command(y, y.Required(keys, node, "command", "agent.http.start"), "start.command", "[dotnet, bin/ShopService.dll]");
        var cwd = OwnAgentParser.WorkingDirectory(y, keys, root, "start.cwd");
        var environment = keys.TryGetValue("env", out var e) ? OwnAgentParser.Environment(y, e.Value) : new Dictionary<string, string>(StringComparer.Ordinal);
        if (!model.IsChosenByTheAgent)
        {
            environment["EVALH_MODEL"] = model.Model;
        }

        return new ServiceStart
        {
            Command = command,
            Environment = environment,
            WorkingDirectory = cwd,
            Ready = keys.TryGetValue("ready", out var r) ? Url(y, r.Value, "start.ready") : null,
            ReadyTimeout = keys.TryGetValue("ready_timeout_s", out var rt) ? TimeSpan.FromSeconds((double)y.Decimal(rt.Value, "ready_timeout_s", 0, exclusive: true)) : TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>An absolute http(s) URL, its <c>${VAR}</c>s read from the environment: the service is called in a replay too, so each must be set.</summary>
    private static Uri Url(YamlNodes y, YamlNode node, string what)
    {
        var text = Expanded(y, node, what);
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw y.Error(node, $"{what} is '{text}': give an absolute http:// URL, e.g. \"http://127.0.0.1:5077/chat\".");
    }

    private static Dictionary<string, string> Headers(YamlNodes y, YamlNode node) =>
        y.Mapping(node, "headers").Children.ToDictionary(
            kv => y.String(kv.Key, "a header name"),
            kv => Expanded(y, kv.Value, $"headers.{y.String(kv.Key, "a header name")}"),
            StringComparer.OrdinalIgnoreCase);

    private static string Expanded(YamlNodes y, YamlNode node, string what)
    {
        var unset = new List<string>();
        var text = ToolServerParser.Expand(y.String(node, what), unset);
        return unset.Count == 0
            ? text
            : throw y.Error(node, $"agent.http.{what.Replace("agent.http.", string.Empty, StringComparison.Ordinal)} uses ${{{unset[0]}}}, which is not set: the service is called in a replay too. Set it, or give a default: ${{{unset[0]}:-value}}.");
    }

    /// <summary>The body template as JSON, every <c>{{name}}</c> in it one the agent fills in.</summary>
    private static JsonElement Body(YamlNodes y, YamlNode node)
    {
        var body = YamlJson.ToElement(node);
        foreach (var scalar in Scalars(node))
        {
            foreach (System.Text.RegularExpressions.Match match in HttpAgent.Placeholder().Matches(scalar.Value ?? string.Empty))
            {
                var name = match.Groups["name"].Value;
                if (!HttpAgent.Names.Contains(name) && !(name.StartsWith("vars.", StringComparison.Ordinal) && name.Length > 5))
                {
                    throw y.Error(scalar, $"body has {{{{{name}}}}}, which the harness does not fill in: use {string.Join(", ", HttpAgent.Names.Select(n => $"{{{{{n}}}}}"))} or {{{{vars.<name>}}}}.");
                }
            }
        }

        return body;
    }

    private static IEnumerable<YamlScalarNode> Scalars(YamlNode node) => node switch
    {
        YamlScalarNode scalar => [scalar],
        YamlMappingNode map => map.Children.Values.SelectMany(Scalars),
        YamlSequenceNode list => list.Children.SelectMany(Scalars),
        _ => [],
    };

    private static string Path(YamlNodes y, YamlNode node, string what)
    {
        var path = y.String(node, what);
        return JsonPath.IsValid(path)
            ? path
            : throw y.Error(node, $"{what} '{path}' is not a JSON path the harness reads: use $, .name, ['name'] and [index], e.g. \"$.reply\".");
    }
}
