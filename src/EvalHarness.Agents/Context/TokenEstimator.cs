using EvalHarness.Agents.Runtime;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Context;

/// <summary>Estimates tokens without a tokenizer: about four characters a token, plus a few per message.</summary>
public static class TokenEstimator
{
    /// <summary>The estimated tokens of a conversation.</summary>
    public static int Estimate(IEnumerable<ChatMessage> messages) => messages.Sum(Estimate);

    /// <summary>The estimated tokens of one message.</summary>
    public static int Estimate(ChatMessage message) => 4 + message.Contents.Sum(c => c switch
    {
        TextContent t => Estimate(t.Text),
        FunctionCallContent f => Estimate(f.Name) + Estimate(System.Text.Json.JsonSerializer.Serialize(f.Arguments, AgentJson.Options)),
        FunctionResultContent r => Estimate(AgentJson.Stringify(r.Result)),
        _ => 0,
    });

    /// <summary>The estimated tokens of a text.</summary>
    public static int Estimate(string? text) => ((text?.Length ?? 0) + 3) / 4;
}
