using EvalHarness.Core.Suites;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// Who writes the user's turns of a conversation: the scenario's script, or a model playing the user. It is asked for
/// the next message once the agent has replied, and says how the conversation ended.
/// </summary>
internal abstract class UserSide
{
    /// <summary>How the conversation ended, once it has (<c>user</c>, <c>script</c>, <c>max_turns</c> or <c>agent</c>).</summary>
    public string? EndedBy { get; protected set; }

    /// <summary>The simulated user's last message, the one with its stop marker, which the agent is not sent.</summary>
    public string? Closing { get; protected set; }

    /// <summary>The user's first message.</summary>
    public abstract ValueTask<string> FirstAsync(CancellationToken cancellationToken);

    /// <summary>The user's next message after the agent's replies so far, or null when the conversation is over.</summary>
    public abstract ValueTask<string?> NextAsync(IReadOnlyList<TurnReport> turns, CancellationToken cancellationToken);

    /// <summary>Notes that the agent's last turn did not end with an answer, which ends the conversation.</summary>
    public void AgentStopped() => EndedBy = "agent";

    /// <summary>The scenario's user: its scripted turns, a model playing it, or null for a single input.</summary>
    public static UserSide? For(Scenario scenario, IChatClient? simulator) =>
        scenario.User is { } user ? new Simulated(user, scenario.Input, simulator ?? throw new InvalidOperationException("A simulated user needs a model client."))
        : scenario.Turns.Count > 0 ? new Scripted(scenario.Turns)
        : null;

    /// <summary>The user's turns as the scenario lists them.</summary>
    private sealed class Scripted(IReadOnlyList<ConversationTurn> turns) : UserSide
    {
        public override ValueTask<string> FirstAsync(CancellationToken cancellationToken) => ValueTask.FromResult(turns[0].User);

        public override ValueTask<string?> NextAsync(IReadOnlyList<TurnReport> replies, CancellationToken cancellationToken)
        {
            if (replies.Count < turns.Count)
            {
                return ValueTask.FromResult<string?>(turns[replies.Count].User);
            }

            EndedBy = "script";
            return ValueTask.FromResult<string?>(null);
        }
    }

    /// <summary>
    /// A model playing the user: its persona and goal as its instructions, the agent's replies as the messages it answers.
    /// Its calls go to the case's <c>…/user</c> cassette, so a replay gives it the same words.
    /// </summary>
    private sealed class Simulated(SimulatedUser user, string opening, IChatClient chat) : UserSide
    {
        private readonly List<ChatMessage> _dialogue = [new(ChatRole.System, Instruction(user))];

        public override async ValueTask<string> FirstAsync(CancellationToken cancellationToken)
        {
            if (opening.Length > 0)
            {
                _dialogue.Add(new ChatMessage(ChatRole.Assistant, opening));
                return opening;
            }

            _dialogue.Add(new ChatMessage(ChatRole.User, Begin));
            return await SayAsync(cancellationToken)
                ?? throw new SimulatedUserException($"The simulated user wrote its stop marker ({user.Stop}) before its first message: check its instructions.");
        }

        public override async ValueTask<string?> NextAsync(IReadOnlyList<TurnReport> turns, CancellationToken cancellationToken)
        {
            if (turns.Count >= user.MaxTurns)
            {
                EndedBy = "max_turns";
                return null;
            }

            _dialogue.Add(new ChatMessage(ChatRole.User, turns[^1].Output));
            return await SayAsync(cancellationToken);
        }

        /// <summary>The simulator's next message, or null (and the conversation over) when it holds the stop marker.</summary>
        private async Task<string?> SayAsync(CancellationToken cancellationToken)
        {
            ChatResponse response;
            try
            {
                response = await chat.GetResponseAsync(_dialogue, new ChatOptions { Temperature = 0 }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A replayed request that no longer matches its recording lands here; the cassette's miss says why.
                throw new SimulatedUserException($"The simulated user's model call failed: {ex.Message.Split('\n')[0]}");
            }

            var text = response.Text.Trim();
            _dialogue.Add(new ChatMessage(ChatRole.Assistant, text));
            if (text.Contains(user.Stop, StringComparison.Ordinal))
            {
                (EndedBy, Closing) = ("user", text);
                return null;
            }

            return text.Length > 0 ? text
                : throw new SimulatedUserException("The simulated user's model answered with no text: record its cassette again, or check its instructions.");
        }
    }

    /// <summary>The message that asks a simulated user who opens the conversation for its first words.</summary>
    internal const string Begin = "(The conversation begins. Write your first message to the assistant.)";

    /// <summary>The simulator's instructions: how to play a user, then the scenario's persona and goal.</summary>
    internal static string Instruction(SimulatedUser user) =>
        "You play a user talking to an AI assistant, to test the assistant. Stay in character: write only the user's next "
        + "message, in the user's words, and never act as the assistant. Give information only when it is asked for or "
        + $"the persona would volunteer it. When your goal has been met, or you give up on it, write a last short message that ends with {user.Stop}.\n\n"
        + user.Instructions;
}

/// <summary>The simulated user could not go on (no text, or a stop before its first message): an error of the case.</summary>
internal sealed class SimulatedUserException(string message) : Exception(message);
