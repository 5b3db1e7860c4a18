using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;

namespace EvalHarness.Cassettes.Tools;

/// <summary>
/// A tool server a suite names, which the cassette server serves to each case at a case-scoped address: an MCP server
/// (started over stdio or reached over streamable HTTP) or a plain HTTP API. Only a recording reaches the real one.
/// </summary>
public sealed record ToolServer
{
    /// <summary>The name in the suite (<c>inventory</c>): letters, digits, <c>_</c> and <c>-</c>.</summary>
    public required string Name { get; init; }

    /// <summary><see cref="ToolKinds.Mcp"/> or <see cref="ToolKinds.Http"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>A stdio MCP server: the command and its arguments (<c>[node, inventory-server.mjs]</c>).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>A streamable HTTP MCP server's endpoint, or an HTTP API's base URL.</summary>
    public Uri? Url { get; init; }

    /// <summary>A stdio server's extra environment variables, on top of the harness's own.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Headers sent with every request to an HTTP server (a token, for example); never written to a cassette.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where a stdio server starts (the suite's folder).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Whether one stdio server serves the whole run (<c>per: run</c>) rather than one per case (the default).</summary>
    public bool PerRun { get; init; }

    /// <summary>How long a recording waits for the server's answer before it records a time-out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Environment variables the suite names for this server that were not set when it was loaded: fine for a replay,
    /// which reaches no server; a recording that needs the server says which to set.
    /// </summary>
    public IReadOnlyList<string> Unset { get; init; } = [];

    /// <summary>Whether this is an MCP server.</summary>
    public bool IsMcp => Kind == ToolKinds.Mcp;

    /// <summary>
    /// The values a cassette must never hold: the configured headers' values and the env values whose names look like a
    /// credential's (<c>INVENTORY_API_KEY</c>, <c>DOCS_TOKEN</c>).
    /// </summary>
    public IEnumerable<string> SecretValues =>
        SecretScanner.KeysOf(Headers.Values)
            .Concat(Env.Where(e => SecretScanner.IsCredentialQueryKey(e.Key)).Select(e => e.Value))
            .Where(value => value.Length >= 4);

    /// <summary>Throws when the server cannot work: a stdio and an HTTP address at once, neither, or a bad name.</summary>
    public void Validate()
    {
        if (Name.Length == 0 || Name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-'))
        {
            throw new ArgumentException($"The tool server name '{Name}' may hold only letters, digits, '_' and '-'.");
        }

        if (Kind == ToolKinds.Mcp && (Command.Count > 0) == (Url is not null))
        {
            throw new ArgumentException($"The MCP server '{Name}' needs either a command (stdio) or a url (streamable HTTP), not {(Url is null ? "neither" : "both")}.");
        }

        if (Kind == ToolKinds.Http && Url is null)
        {
            throw new ArgumentException($"The HTTP API '{Name}' needs a base URL.");
        }

        if (Kind is not ToolKinds.Mcp and not ToolKinds.Http)
        {
            throw new ArgumentException($"The tool server '{Name}' is of kind '{Kind}': use mcp or http.");
        }
    }

    /// <summary>The variable a process agent reads the server's case address from: <c>EVALH_MCP_INVENTORY_URL</c>, <c>EVALH_HTTP_PRICES_URL</c>.</summary>
    public string VariableName => VariableFor(Kind, Name);

    /// <summary>The variable for a server of <paramref name="kind"/> named <paramref name="name"/>: upper case, other characters <c>_</c>.</summary>
    public static string VariableFor(string kind, string name) =>
        $"EVALH_{kind.ToUpperInvariant()}_{new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_')])}_URL";

    /// <summary>The path a case's address ends in, after <c>/c/&lt;cassette-id&gt;/</c>: <c>mcp/inventory</c>, <c>http/prices</c>.</summary>
    public string PathSegment => $"{Kind}/{Name}";
}
