using System.CommandLine;
using System.Text.RegularExpressions;
using EvalHarness.Core.Results;
using ModelContextProtocol.Client;
using ModelContextProtocol.Server;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>evalh mcp connect &lt;url&gt;</c>: a stdio-to-streamable-HTTP MCP bridge, so an agent that only speaks stdio MCP
/// launches it in place of a server and reaches the endpoint evalh serves for its case.
/// </summary>
internal static partial class McpCommand
{
    public static Command Build(TextWriter error)
    {
        var url = new Argument<string>("url")
        {
            Description = "The streamable HTTP MCP endpoint, e.g. the case's $EVALH_MCP_INVENTORY_URL "
                + "(http://127.0.0.1:<port>/c/<cassette-id>/mcp/inventory). A ${VAR} in it is read from the environment, for hosts that pass it unexpanded.",
        };
        var headers = new Option<string[]>("--header")
        {
            HelpName = "\"Name: value\"",
            Description = "A header sent with every request, for an endpoint that needs one, e.g. \"Authorization: Bearer ${TOKEN}\" (${VAR} read from the environment). Repeatable.",
        };
        var connect = new Command("connect",
            "Bridge a stdio MCP client to a streamable HTTP MCP endpoint: configure the agent to launch `evalh mcp connect <url>` where it would launch the "
            + "server. JSON-RPC messages read from stdin (one per line) are sent to <url>; every message the endpoint sends, answers and its own "
            + "notifications and requests, is written to stdout, one per line; logs go to stderr. Exits 0 when stdin closes (after the answers still "
            + "pending are written), 2 when <url> is not an http(s) URL or cannot be reached.");
        connect.Arguments.Add(url);
        connect.Options.Add(headers);
        connect.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var endpoint = Endpoint(parse.GetValue(url)!);
            var options = new HttpClientTransportOptions
            {
                Endpoint = endpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = Headers(parse.GetValue(headers) ?? []),
            };

            // No overall time-out: a tool call's answer streams for as long as the tool runs. A host that does not answer
            // a connection at all still fails the first message.
            var http = new HttpClient(new McpErrorAnswerHandler(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }))
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
            await using var transport = new HttpClientTransport(options, http, ownsHttpClient: true);
            await using var session = await transport.ConnectAsync(cancellationToken);

            // The SDK's stream transport reads stdin (framing and parsing as the stdio transport does); stdout is written
            // by a writer of our own, which keeps writing after stdin closes.
            var stdin = new StreamServerTransport(Console.OpenStandardInput(), Stream.Null, "evalh mcp connect");
            using var stdout = new McpLineWriter(Console.OpenStandardOutput());
            if (!await new McpBridge(stdin.MessageReader, stdout, session, endpoint, error).RunAsync(cancellationToken))
            {
                // stdin is left as it is: a read of it blocks in the OS until the client closes it, and the process exits now.
                return ExitCodes.InputError;
            }

            await stdin.DisposeAsync();
            return ExitCodes.Ok;
        }));

        var command = new Command("mcp", "Connect MCP clients to the MCP endpoints evalh serves for each case.");
        command.Subcommands.Add(connect);
        return command;
    }

    /// <summary>The endpoint's URL, its <c>${VAR}</c>s read from the environment; it must be absolute http or https.</summary>
    internal static Uri Endpoint(string text)
    {
        var expanded = Expand(text, "the URL");
        return Uri.TryCreate(expanded, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException(
                $"'{expanded}' is not an absolute http(s) URL. Pass the MCP endpoint the case gives the agent, e.g. "
                + "evalh mcp connect \"$EVALH_MCP_INVENTORY_URL\" (http://127.0.0.1:<port>/c/<cassette-id>/mcp/inventory).");
    }

    /// <summary>Reads <c>--header "Name: value"</c>s, their <c>${VAR}</c>s read from the environment.</summary>
    internal static Dictionary<string, string> Headers(IEnumerable<string> headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || string.IsNullOrWhiteSpace(header[..colon]))
            {
                throw new ArgumentException($"--header '{header}' is not a header: write \"Name: value\", e.g. \"Authorization: Bearer ${{TOKEN}}\".");
            }

            result[header[..colon].Trim()] = Expand(header[(colon + 1)..].Trim(), $"--header {header[..colon].Trim()}");
        }

        return result;
    }

    private static string Expand(string text, string where) => Variable().Replace(text, match =>
        Environment.GetEnvironmentVariable(match.Groups[1].Value) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"{where} uses {match.Value}, which is not set. evalh sets EVALH_MCP_<NAME>_URL for each case "
                + "when it starts the agent (run, record or serve); set other variables yourself, or pass the value."));

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();
}
