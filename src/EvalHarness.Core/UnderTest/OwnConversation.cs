using EvalHarness.Cassettes.Format;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// Holds a conversation with a team's own agent: the harness calls it once per user turn, the same instance throughout
/// (a process agent is a new process per turn), giving it the conversation so far. What a turn did is what its report
/// says, or else what the model calls made during that turn say.
/// </summary>
internal static class OwnConversation
{
    /// <summary>Runs the conversation to its end and joins the turns' reports into the case's report.</summary>
    /// <param name="agent">The agent, one instance for the whole conversation.</param>
    /// <param name="agentCase">The case, whose <see cref="AgentCase.Messages"/> each turn extends.</param>
    /// <param name="user">Who writes the user's turns.</param>
    /// <param name="servedSoFar">The case's model calls served so far, to tell one turn's from the next.</param>
    /// <param name="agentName">How the agent is named in derived spans.</param>
    /// <param name="cancellationToken">Stops the conversation.</param>
    public static async Task<AgentReport> RunAsync(
        IAgentUnderTest agent, AgentCase agentCase, UserSide user, Func<Task<IReadOnlyList<Interaction>>> servedSoFar, string agentName,
        CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage> { new(ChatRole.User, await user.FirstAsync(cancellationToken)) };
        var turns = new List<TurnReport>();
        var reports = new List<AgentReport>();
        var callsBefore = 0;
        while (true)
        {
            var state = reports.LastOrDefault(r => r.State is not null)?.State;
            var report = await TurnAsync(agent, agentCase with { Messages = [.. messages], Turn = turns.Count + 1, State = state }, cancellationToken);
            var served = await servedSoFar();
            var traffic = RecordedTraffic.Analyse([.. served.Skip(callsBefore)], agentName);
            callsBefore = served.Count;
            reports.Add(report);
            var outcome = report.Error is not null ? "failed" : report.Outcome ?? Outcomes.Completed;
            turns.Add(new TurnReport(messages[^1].Text, report.Output, report.ToolCalls ?? traffic.ToolCalls, outcome, report.Steps ?? traffic.Steps));
            if (outcome != Outcomes.Completed)
            {
                user.AgentStopped();
                break;
            }

            if (await user.NextAsync(turns, cancellationToken) is not { } next)
            {
                break;
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, report.Output));
            messages.Add(new ChatMessage(ChatRole.User, next));
        }

        return Joined(reports, turns, user);
    }

    /// <summary>One turn; an agent that throws ends the conversation there, keeping the turns before it.</summary>
    private static async Task<AgentReport> TurnAsync(IAgentUnderTest agent, AgentCase turn, CancellationToken cancellationToken)
    {
        try
        {
            return await agent.RunAsync(turn, cancellationToken) ?? AgentReport.Failed($"the agent returned no report (null) on turn {turn.Turn}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return AgentReport.Failed($"the agent threw {ex.GetType().Name} on turn {turn.Turn}: {ex.Message}{AgentAssembly.VersionNote(ex, agent.GetType().Assembly)}");
        }
    }

    /// <summary>The conversation's report: the last turn's answer and end, the turns' figures added up where each gave them.</summary>
    private static AgentReport Joined(List<AgentReport> reports, List<TurnReport> turns, UserSide user)
    {
        var last = reports[^1];
        long? Sum(Func<AgentReport, long?> figure) => reports.All(r => figure(r) is not null) ? reports.Sum(r => figure(r)!.Value) : null;
        Dictionary<string, int>? counters = null;
        foreach (var (name, value) in reports.SelectMany(r => r.Counters ?? new Dictionary<string, int>()))
        {
            counters ??= new Dictionary<string, int>(StringComparer.Ordinal);
            counters[name] = counters.GetValueOrDefault(name) + value;
        }

        var logs = reports.Select((r, i) => (r.Log, Turn: i + 1)).Where(l => !string.IsNullOrEmpty(l.Log)).ToList();
        return last with
        {
            ToolCalls = reports.All(r => r.ToolCalls is not null) ? [.. reports.SelectMany(r => r.ToolCalls!)] : null,
            Steps = (int?)Sum(r => r.Steps),
            InputTokens = Sum(r => r.InputTokens),
            OutputTokens = Sum(r => r.OutputTokens),
            CostUsd = reports.All(r => r.CostUsd is not null) ? reports.Sum(r => r.CostUsd!.Value) : null,
            Counters = counters,
            State = reports.LastOrDefault(r => r.State is not null)?.State,
            Transcript = last.Transcript,
            Trace = null,
            Log = logs.Count == 0 ? null : string.Join(Environment.NewLine, logs.Select(l => $"── turn {l.Turn} ──{Environment.NewLine}{l.Log}")),
            Turns = turns,
            EndedBy = user.EndedBy,
            Closing = user.Closing,
        };
    }
}
