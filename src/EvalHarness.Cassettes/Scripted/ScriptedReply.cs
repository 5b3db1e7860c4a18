using System.Text.Json;

namespace EvalHarness.Cassettes.Scripted;

/// <summary>What a protocol reads of a request for the scripted upstream.</summary>
/// <param name="SystemPrompt">The system prompt: with the cassette id, it keys the conversation whose script plays.</param>
/// <param name="Model">The model to name in the answer.</param>
/// <param name="PromptTokens">About how many tokens the request is (its messages, tools and system prompt).</param>
/// <param name="Streamed">Whether the client asked for a stream.</param>
internal sealed record ScriptedRequest(string? SystemPrompt, string Model, int PromptTokens, bool Streamed);

/// <summary>One scripted turn to answer, with what makes its ids and usage stable.</summary>
/// <param name="CassetteId">The cassette it answers for.</param>
/// <param name="TurnIndex">Its place in the conversation's script (0-based).</param>
/// <param name="Model">The model to name.</param>
/// <param name="Turn">The turn.</param>
/// <param name="PromptTokens">Input tokens to report.</param>
/// <param name="CompletionTokens">Output tokens to report.</param>
/// <param name="Request">The request's body (for a protocol that echoes what was asked, as OpenAI's <c>stream_options</c>).</param>
internal sealed record ScriptedReply(string CassetteId, int TurnIndex, string Model, ScriptedTurn Turn, int PromptTokens, int CompletionTokens, JsonElement Request)
{
    /// <summary>A stable id for this answer: 24 hex characters of a hash of the cassette and the turn.</summary>
    public string AnswerId => ScriptedWire.Hash(CassetteId, TurnIndex);

    /// <summary>A stable id for tool call <paramref name="call"/> of this answer.</summary>
    public string CallId(int call) => ScriptedWire.Hash(CassetteId, (TurnIndex * 100) + call);
}
