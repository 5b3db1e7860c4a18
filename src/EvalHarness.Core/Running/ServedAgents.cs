using EvalHarness.Cassettes.Server;
using EvalHarness.Cassettes.Tools;
using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;

namespace EvalHarness.Core.Running;

/// <summary>
/// The services a run starts for its served agents (<c>agent.http.start</c>), each once, pointed at the cassette server's
/// case-less address: their model and tool calls are routed to a case by the trace context they pass on. Stopped, process
/// tree and all, when the run ends, is cancelled or a later one fails to start.
/// </summary>
internal sealed class ServedAgents : IAsyncDisposable
{
    private readonly List<ServiceHost> _hosts = [];

    /// <summary>Starts every service the suite's variants name; a <see cref="ServiceStartException"/> when one does not come up.</summary>
    public static async Task<ServedAgents> StartAsync(Suite suite, CassetteServer server, Func<string, string> keyFor, CancellationToken cancellationToken)
    {
        var served = new ServedAgents();
        try
        {
            foreach (var variant in suite.Variants.Where(v => v.Agent.Own?.Served?.Start is not null).DistinctBy(v => v.Agent.Own!.Served!.Start))
            {
                var start = variant.Agent.Own!.Served!.Start!;
                served._hosts.Add(await ServiceHost.StartAsync(start with { Environment = Environment(start, variant.Agent, server.BaseAddress, keyFor) }, cancellationToken));
            }
        }
        catch
        {
            await served.DisposeAsync();
            throw;
        }

        return served;
    }

    /// <summary>
    /// The service's environment: the suite's <c>start.env</c>, and each provider's base URL at the case-less address
    /// (OPENAI_BASE_URL=http://127.0.0.1:&lt;port&gt;/v1, …) with its key, and each MCP server's and HTTP API's.
    /// </summary>
    internal static Dictionary<string, string> Environment(ServiceStart start, AgentConfig agent, Uri caseless, Func<string, string> keyFor)
    {
        var environment = new Dictionary<string, string>(start.Environment, StringComparer.Ordinal);
        foreach (var (name, value) in AgentEnvironment.Providers(caseless, keyFor))
        {
            environment[name] = value;
        }

        foreach (var toolServer in agent.ToolServers)
        {
            environment[ToolServer.VariableFor(toolServer.Kind, toolServer.Name)] = new Uri(caseless, toolServer.PathSegment).ToString();
        }

        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }
}
