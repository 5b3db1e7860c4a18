using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EvalHarness.Agents.Runtime;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using OpenAIChatMessage = OpenAI.Chat.ChatMessage;

namespace EvalHarness.Agents.Providers;

/// <summary>
/// An <see cref="IChatClient"/> over the official OpenAI SDK's chat completions client, for any
/// OpenAI-compatible endpoint (the cassette server included).
/// </summary>
/// <remarks>
/// The SDK's own retries are turned off: a retry is a behaviour of the runtime, visible in its trace,
/// and a replayed cassette must see exactly the requests the agent made.
/// </remarks>
public sealed class OpenAIChatClient : IChatClient
{
    private readonly ChatClient _client;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a client for <paramref name="model"/> at <paramref name="endpoint"/> (which ends in <c>/v1</c>).</summary>
    public OpenAIChatClient(Uri endpoint, string apiKey, string model, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(model);
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (httpClient is not null)
        {
            options.Transport = new HttpClientPipelineTransport(httpClient);
        }

        _client = new ChatClient(model, new ApiKeyCredential(apiKey), options);
        _metadata = new ChatClientMetadata("openai", endpoint, model);
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatCompletion completion = await _client.CompleteChatAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken);
        return FromOpenAI(completion);
    }

    /// <inheritdoc />
    /// <remarks>Until SSE lands in the adapter, this yields the complete response as updates.</remarks>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType == typeof(ChatClient) ? _client
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
        // The SDK client owns no unmanaged state; an injected HttpClient belongs to its creator.
    }

    internal static List<OpenAIChatMessage> ToOpenAI(IEnumerable<AIChatMessage> messages)
    {
        var result = new List<OpenAIChatMessage>();
        foreach (var message in messages)
        {
            if (message.Role == AIChatRole.System)
            {
                result.Add(new SystemChatMessage(message.Text));
            }
            else if (message.Role == AIChatRole.User)
            {
                result.Add(new UserChatMessage(message.Text));
            }
            else if (message.Role == AIChatRole.Assistant)
            {
                result.Add(ToAssistantMessage(message));
            }
            else if (message.Role == AIChatRole.Tool)
            {
                foreach (var toolResult in message.Contents.OfType<FunctionResultContent>())
                {
                    result.Add(new ToolChatMessage(toolResult.CallId, AgentJson.Stringify(toolResult.Result)));
                }
            }
            else
            {
                throw new NotSupportedException($"The chat role '{message.Role}' has no OpenAI equivalent.");
            }
        }

        return result;
    }

    private static AssistantChatMessage ToAssistantMessage(AIChatMessage message)
    {
        var calls = message.Contents.OfType<FunctionCallContent>()
            .Select(c => ChatToolCall.CreateFunctionToolCall(
                c.CallId,
                c.Name,
                BinaryData.FromString(JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), AgentJson.Options))))
            .ToList();
        if (calls.Count == 0)
        {
            return new AssistantChatMessage(message.Text);
        }

        var assistant = new AssistantChatMessage(calls);
        if (!string.IsNullOrEmpty(message.Text))
        {
            assistant.Content.Add(ChatMessageContentPart.CreateTextPart(message.Text));
        }

        return assistant;
    }

    internal static ChatCompletionOptions ToOpenAI(ChatOptions? options)
    {
        var result = new ChatCompletionOptions();
        if (options is null)
        {
            return result;
        }

        result.Temperature = options.Temperature;
        result.MaxOutputTokenCount = options.MaxOutputTokens;
        foreach (var function in options.Tools?.OfType<AIFunctionDeclaration>() ?? [])
        {
            result.Tools.Add(ChatTool.CreateFunctionTool(
                function.Name,
                function.Description,
                BinaryData.FromString(function.JsonSchema.GetRawText())));
        }

        return result;
    }

    internal static ChatResponse FromOpenAI(ChatCompletion completion)
    {
        var contents = new List<AIContent>();
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        if (text.Length > 0)
        {
            contents.Add(new TextContent(text));
        }

        foreach (var call in completion.ToolCalls)
        {
            contents.Add(ParseCall(call));
        }

        var message = new AIChatMessage(AIChatRole.Assistant, contents) { MessageId = completion.Id };
        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = completion.FinishReason switch
            {
                OpenAI.Chat.ChatFinishReason.Stop => AIFinishReason.Stop,
                OpenAI.Chat.ChatFinishReason.Length => AIFinishReason.Length,
                OpenAI.Chat.ChatFinishReason.ToolCalls or OpenAI.Chat.ChatFinishReason.FunctionCall => AIFinishReason.ToolCalls,
                OpenAI.Chat.ChatFinishReason.ContentFilter => AIFinishReason.ContentFilter,
                _ => null,
            },
            Usage = completion.Usage is { } usage
                ? new UsageDetails
                {
                    InputTokenCount = usage.InputTokenCount,
                    OutputTokenCount = usage.OutputTokenCount,
                    TotalTokenCount = usage.TotalTokenCount,
                    CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
                    ReasoningTokenCount = usage.OutputTokenDetails?.ReasoningTokenCount,
                }
                : null,
            RawRepresentation = completion,
        };
    }

    private static FunctionCallContent ParseCall(ChatToolCall call)
    {
        try
        {
            var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(call.FunctionArguments, AgentJson.Options);
            return new FunctionCallContent(call.Id, call.FunctionName, arguments);
        }
        catch (JsonException ex)
        {
            // Malformed arguments are the model's mistake: the run shows it to the model as an error.
            return new FunctionCallContent(call.Id, call.FunctionName) { Exception = ex };
        }
    }
}
