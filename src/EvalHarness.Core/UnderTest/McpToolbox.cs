using EvalHarness.Agents.Approvals;
using EvalHarness.Agents.Tools;
using EvalHarness.Core.Suites;
using ModelContextProtocol.Client;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// The built-in runtime's MCP tools for one case: a client of the official SDK per server its <c>tools</c> name
/// (<c>mcp:inventory</c>), connected to the case's endpoint, so what the server lists and answers is recorded into the
/// case's cassette and replayed from it. Each tool is an <c>AIFunction</c> the runtime calls like any other.
/// </summary>
internal sealed class McpToolbox : IAsyncDisposable
{
    private readonly List<McpClient> _clients = [];
    private readonly Dictionary<string, IList<McpClientTool>> _tools = new(StringComparer.Ordinal);

    /// <summary>Each MCP tool's wire name and the name a run reports its calls by (<c>check_stock</c> → <c>inventory.check_stock</c>).</summary>
    public Dictionary<string, string> Qualified { get; } = new(StringComparer.Ordinal);

    /// <summary>Connects to every MCP server <paramref name="config"/>'s tools name (its sub-agents' too) and lists their tools.</summary>
    public static async Task<McpToolbox> ConnectAsync(AgentConfig config, AgentCase agentCase, CancellationToken cancellationToken)
    {
        var box = new McpToolbox();
        var servers = config.Tools.Concat(config.SubAgents.SelectMany(s => s.Agent.Tools))
            .Select(t => McpTools.TryParse(t, out var server, out _) ? server : null).OfType<string>().Distinct(StringComparer.Ordinal);
        try
        {
            foreach (var server in servers)
            {
                var client = await McpClient.CreateAsync(
                    new HttpClientTransport(new HttpClientTransportOptions { Endpoint = agentCase.McpServers[server], Name = server }), cancellationToken: cancellationToken);
                box._clients.Add(client);
                var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
                box._tools[server] = tools;
                foreach (var tool in tools)
                {
                    box.Qualified.TryAdd(tool.Name, $"{server}.{tool.Name}");
                }
            }
        }
        catch
        {
            await box.DisposeAsync();
            throw;
        }

        return box;
    }

    /// <summary>The tools the MCP entries of <paramref name="entries"/> name; a tool the server does not list is an error naming those it does.</summary>
    public IEnumerable<AgentTool> ToolsFor(IEnumerable<string> entries, IReadOnlyDictionary<string, ApprovalRule> approvals)
    {
        foreach (var entry in entries)
        {
            if (!McpTools.TryParse(entry, out var server, out var only))
            {
                continue;
            }

            var listed = _tools[server];
            if (only is not null && listed.All(t => t.Name != only))
            {
                throw new InvalidOperationException($"The MCP server '{server}' lists no tool '{only}' (tools: {entry}); it lists {string.Join(", ", listed.Select(t => t.Name))}.");
            }

            foreach (var tool in listed.Where(t => only is null || t.Name == only))
            {
                // A tool the server marks read-only is not side-effecting; any other may change the world.
                yield return new AgentTool(tool, sideEffecting: tool.ProtocolTool.Annotations?.ReadOnlyHint != true, approvals.GetValueOrDefault($"{server}.{tool.Name}"));
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }
}
