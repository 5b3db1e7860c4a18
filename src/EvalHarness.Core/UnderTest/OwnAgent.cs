using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// A team's own agent as a suite names it: a process (<c>agent: { command: […] }</c>) or a .NET type
/// (<c>agent: { dotnet: { assembly, type } }</c>), or one given in code.
/// </summary>
public sealed record OwnAgent
{
    /// <summary>How the report names it, e.g. <c>process: python3 agent.py</c>.</summary>
    public required string Description { get; init; }

    /// <summary>The command and its arguments, for a process agent.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Environment variables the process gets besides the harness's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The process's working folder (the suite's folder unless <c>cwd</c> says otherwise).</summary>
    public string WorkingDirectory { get; init; } = ".";

    /// <summary>How long one case's process may run before it is stopped.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The service the agent is served by (<c>agent: { http: … }</c>); null for a process or a .NET agent.</summary>
    internal ServedAgent? Served { get; init; }

    /// <summary>Creates the agent for one case, for a .NET agent; null for a process agent.</summary>
    public Func<IAgentUnderTest>? Factory { get; init; }

    /// <summary>The agent for one case: a fresh instance of a .NET agent, or the process runner.</summary>
    public IAgentUnderTest Create() => Factory?.Invoke() ?? (Served is { } served ? new HttpAgent(served) : new ProcessAgent(this));

    /// <summary>An agent given in code: <paramref name="factory"/> makes one per case.</summary>
    public static OwnAgent FromFactory(Func<IAgentUnderTest> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new OwnAgent { Description = description ?? "dotnet: given in code", Factory = factory };
    }

    /// <summary>
    /// A Microsoft Agent Framework agent given in code, run as it is: <paramref name="factory"/> builds one per case on the
    /// case's chat client (<see cref="AgentCase.ChatClient"/>), e.g. <c>chatClient =&gt; new SupportAgent(chatClient)</c>.
    /// The harness runs it with <c>RunAsync</c>, one session per case, and reads the answer, tool calls and tokens from its response.
    /// </summary>
    public static OwnAgent FromAIAgent(Func<IChatClient, AIAgent> factory, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new OwnAgent { Description = description ?? "dotnet: Agent Framework agent given in code", Factory = () => new FrameworkAgent(factory) };
    }

    /// <summary>Disposes what a case built, when it is disposable (asynchronously first).</summary>
    internal static async ValueTask DisposeAsync(object? built)
    {
        switch (built)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
