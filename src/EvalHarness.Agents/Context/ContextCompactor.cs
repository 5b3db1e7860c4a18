using System.Text;
using EvalHarness.Agents.Runtime;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Context;

/// <summary>Summarises older turns of a conversation that has outgrown its window.</summary>
public static class ContextCompactor
{
    /// <summary>The system prompt of a summary request.</summary>
    public const string SummaryInstruction =
        "Summarise the conversation below for the assistant who is having it. Keep every fact it will need: ids, names, amounts, "
        + "tool results, decisions made and what is still to do. Write plain sentences, no preamble.";

    /// <summary>What the summary message starts with.</summary>
    public const string SummaryPrefix = "Summary of the earlier conversation: ";

    /// <summary>
    /// Where the kept tail starts: the last <paramref name="keep"/> messages, moved earlier so a tool
    /// result is never separated from the call that asked for it. Returns 0 when there is nothing to summarise.
    /// </summary>
    public static int CutIndex(IReadOnlyList<ChatMessage> messages, int keep)
    {
        var cut = messages.Count - keep;
        while (cut > 1 && messages[cut].Role == ChatRole.Tool)
        {
            cut--;
        }

        // Index 0 is the system prompt; at least two messages after it must go into the summary.
        return cut >= 3 ? cut : 0;
    }

    /// <summary>The request that asks the model for a summary of messages 1 to <paramref name="cut"/>.</summary>
    public static List<ChatMessage> SummaryRequest(IReadOnlyList<ChatMessage> messages, int cut)
    {
        var transcript = new StringBuilder();
        foreach (var message in messages.Skip(1).Take(cut - 1))
        {
            foreach (var content in message.Contents)
            {
                var text = content switch
                {
                    TextContent t => t.Text,
                    FunctionCallContent f => $"called {f.Name}({System.Text.Json.JsonSerializer.Serialize(f.Arguments, AgentJson.Options)})",
                    FunctionResultContent r => $"result: {AgentJson.Stringify(r.Result)}",
                    _ => null,
                };
                if (!string.IsNullOrEmpty(text))
                {
                    transcript.Append(message.Role.Value).Append(": ").AppendLine(text);
                }
            }
        }

        return [new ChatMessage(ChatRole.System, SummaryInstruction), new ChatMessage(ChatRole.User, transcript.ToString().TrimEnd())];
    }

    /// <summary>The conversation with messages 1 to <paramref name="cut"/> replaced by the summary.</summary>
    public static List<ChatMessage> Replace(IReadOnlyList<ChatMessage> messages, int cut, string summary) =>
        [messages[0], new ChatMessage(ChatRole.System, SummaryPrefix + summary), .. messages.Skip(cut)];
}
