using System.Collections.Concurrent;
using Microsoft.Agents.AI;

namespace StockDesk;

/// <summary>
/// The conversations in flight, in memory: one Agent Framework session per session id, so a client that sends the id
/// back continues its conversation. A session's turns run one at a time.
/// </summary>
internal sealed class Sessions(AIAgent agent)
{
    private readonly ConcurrentDictionary<string, Conversation> _conversations = new(StringComparer.Ordinal);

    /// <summary>The conversation <paramref name="id"/> names; a new one, under a new id when none is given.</summary>
    public async Task<(string Id, Conversation Conversation)> OpenAsync(string? id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            id = Guid.NewGuid().ToString("N");
        }
        else if (_conversations.TryGetValue(id, out var known))
        {
            return (id, known);
        }

        var conversation = new Conversation(await agent.CreateSessionAsync(cancellationToken));
        return (id, _conversations.GetOrAdd(id, conversation));
    }
}

/// <summary>One conversation: its Agent Framework session, how many turns it has had, and a lock so its turns do not overlap.</summary>
internal sealed class Conversation(AgentSession session)
{
    public AgentSession Session { get; } = session;

    public SemaphoreSlim Turn { get; } = new(1, 1);

    public int Turns { get; set; }
}
