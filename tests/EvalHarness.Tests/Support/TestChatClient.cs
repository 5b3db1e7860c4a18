using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Support;

/// <summary>A hand-written IChatClient whose behaviour each test sets with a delegate.</summary>
internal sealed class TestChatClient : IChatClient
{
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> OnGetResponse { get; set; } =
        (_, _, _) => throw new InvalidOperationException("OnGetResponse was not set.");

    /// <summary>When set, streamed calls come from here instead of from <see cref="OnGetResponse"/> cut into updates.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? OnGetStreamingResponse { get; set; }

    /// <summary>Every request, as the list of messages the agent sent (copied at the time of the call).</summary>
    public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var copy = messages.ToList();
        Requests.Add(copy);
        return OnGetResponse(copy, options, cancellationToken);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (OnGetStreamingResponse is { } stream)
        {
            var copy = messages.ToList();
            Requests.Add(copy);
            await foreach (var update in stream(copy, options, cancellationToken).WithCancellation(cancellationToken))
            {
                yield return update;
            }

            yield break;
        }

        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    /// <summary>A client that plays the given responses in order, one per call.</summary>
    public static TestChatClient Scripted(params ChatResponse[] responses)
    {
        var next = 0;
        return new TestChatClient
        {
            OnGetResponse = (_, _, _) => next < responses.Length
                ? Task.FromResult(responses[next++])
                : throw new InvalidOperationException($"The test scripted {responses.Length} response(s); call {next + 1} was not expected."),
        };
    }

    public static ChatResponse Text(string text, int input = 10, int output = 5) =>
        new(new ChatMessage(ChatRole.Assistant, text)) { Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output } };

    public static ChatResponse Calls(params FunctionCallContent[] calls) =>
        new(new ChatMessage(ChatRole.Assistant, [.. calls])) { Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } };

    public static FunctionCallContent Call(string id, string name, params (string Key, object? Value)[] args) =>
        new(id, name, args.ToDictionary(a => a.Key, a => a.Value));
}
