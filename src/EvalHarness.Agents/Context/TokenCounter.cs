using System.Collections.Concurrent;
using EvalHarness.Agents.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace EvalHarness.Agents.Context;

/// <summary>
/// Counts a conversation's tokens the way its model does: o200k_base for the GPT-4o generation and after (gpt-4o,
/// gpt-4.1, gpt-5, o1, o3, o4), cl100k_base for GPT-4 and GPT-3.5, and for any other model (Anthropic's tokenizer is
/// not public) an estimate of four characters a token, which <see cref="Encoding"/> says.
/// </summary>
public sealed class TokenCounter
{
    /// <summary>What <see cref="Encoding"/> says when no tokenizer is known for the model.</summary>
    public const string Estimate = "estimate (4 characters a token)";

    /// <summary>The tokens a chat format adds around each message (role and separators), as OpenAI documents it.</summary>
    private const int PerMessage = 3;

    private static readonly string[] O200k = ["gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4"];
    private static readonly string[] Cl100k = ["gpt-4", "gpt-3.5", "text-embedding-3", "text-embedding-ada"];

    /// <summary>Tokenizers are built once per encoding (about 200 ms each) and shared: they are thread-safe.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Tokenizers = new(StringComparer.Ordinal);

    private static readonly TokenCounter Estimating = new(Estimate, null);

    private readonly Lazy<Tokenizer>? _tokenizer;

    private TokenCounter(string encoding, Lazy<Tokenizer>? tokenizer)
    {
        Encoding = encoding;
        _tokenizer = tokenizer;
    }

    /// <summary>The encoding the counts come from (<c>o200k_base</c>, <c>cl100k_base</c>) or <see cref="Estimate"/>.</summary>
    public string Encoding { get; }

    /// <summary>The counter for <paramref name="modelId"/> (a provider prefix such as <c>openai:</c> is ignored).</summary>
    public static TokenCounter For(string? modelId)
    {
        var model = (modelId ?? string.Empty)[((modelId ?? string.Empty).IndexOf(':', StringComparison.Ordinal) + 1)..].ToLowerInvariant();
        var encoding = O200k.Any(p => Starts(model, p)) ? "o200k_base"
            : Cl100k.Any(p => Starts(model, p)) ? "cl100k_base"
            : null;
        return encoding is null
            ? Estimating
            : new TokenCounter(encoding, Tokenizers.GetOrAdd(encoding, static e => new Lazy<Tokenizer>(() => TiktokenTokenizer.CreateForEncoding(e))));
    }

    /// <summary>The tokens of a text.</summary>
    public int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer?.Value.CountTokens(text) ?? (text.Length + 3) / 4;

    /// <summary>
    /// Whether the conversation has more than <paramref name="limit"/> tokens. A byte-level BPE token is at least one
    /// byte, so a conversation of fewer UTF-8 bytes than the limit is under it without a tokenizer: the tokenizer (about
    /// 200 ms and tens of MB to load) is built only for conversations that come near their limit.
    /// </summary>
    public bool Exceeds(IReadOnlyCollection<ChatMessage> messages, long limit) =>
        (_tokenizer is null || Bound(messages) > limit) && Count(messages) > limit;

    /// <summary>At least the tokens of <paramref name="messages"/> in any byte-level encoding: their UTF-8 bytes.</summary>
    private static long Bound(IEnumerable<ChatMessage> messages) => messages.Sum(m => Measure(m, Bytes));

    private static long Bytes(string? text) => string.IsNullOrEmpty(text) ? 0 : System.Text.Encoding.UTF8.GetByteCount(text);

    /// <summary>The tokens of a conversation as the model would receive it.</summary>
    public int Count(IEnumerable<ChatMessage> messages) => messages.Sum(Count);

    /// <summary>The tokens of one message: its text, tool calls and tool results, and the format's own.</summary>
    public int Count(ChatMessage message) => (int)Measure(message, text => Count(text));

    /// <summary>A message's size by <paramref name="size"/> of each text it carries, plus the format's own per message.</summary>
    private static long Measure(ChatMessage message, Func<string?, long> size) => PerMessage + message.Contents.Sum(c => c switch
    {
        TextContent t => size(t.Text),
        FunctionCallContent f => size(f.Name) + size(System.Text.Json.JsonSerializer.Serialize(f.Arguments, AgentJson.Options)),
        FunctionResultContent r => size(AgentJson.Stringify(r.Result)),
        _ => 0,
    });

    /// <summary>True when <paramref name="model"/> is <paramref name="prefix"/> or a version of it (<c>gpt-4o-mini</c>, <c>gpt-5.1</c>).</summary>
    private static bool Starts(string model, string prefix) =>
        model.StartsWith(prefix, StringComparison.Ordinal) && (model.Length == prefix.Length || model[prefix.Length] is '-' or '.');
}
