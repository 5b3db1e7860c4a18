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
    private readonly Func<string, ChatClient> _clientFor;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ChatClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates a client for <paramref name="model"/> at <paramref name="endpoint"/> (which ends in <c>/v1</c>).</summary>
    public OpenAIChatClient(Uri endpoint, string apiKey, string model, HttpClient? httpClient = null)
        : this(endpoint, Pipeline(apiKey, httpClient), model)
    {
    }

    /// <summary>
    /// Creates a client for <paramref name="model"/> at <paramref name="endpoint"/> on an SDK pipeline made once by
    /// <see cref="Pipeline"/> and shared by clients that differ only in their endpoint (a replay's cases, one
    /// cassette URL each): building the SDK's pipeline, with its telemetry headers, is most of what a client costs.
    /// </summary>
    public OpenAIChatClient(Uri endpoint, ClientPipeline pipeline, string model)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentException.ThrowIfNullOrEmpty(model);
        var options = new OpenAIClientOptions { Endpoint = endpoint };
        _client = new PipelineChatClient(pipeline, model, options);
        _clients[model] = _client;
        _clientFor = other => new PipelineChatClient(pipeline, other, options);
        _metadata = new ChatClientMetadata("openai", endpoint, model);
    }

    /// <summary>
    /// The official SDK's chat client for <paramref name="model"/> at <paramref name="endpoint"/> as an
    /// <see cref="IChatClient"/>, through Microsoft.Extensions.AI.OpenAI's adapter (what a team's own agent uses),
    /// on a pipeline made by <see cref="Pipeline"/>.
    /// </summary>
    public static IChatClient Official(Uri endpoint, ClientPipeline pipeline, string model)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentException.ThrowIfNullOrEmpty(model);
        return new PipelineChatClient(pipeline, model, new OpenAIClientOptions { Endpoint = endpoint }).AsIChatClient();
    }

    /// <summary>
    /// The SDK's pipeline for an API key (the key, the SDK's headers, no retries of its own) over
    /// <paramref name="httpClient"/>, or the SDK's own transport when null.
    /// </summary>
    public static ClientPipeline Pipeline(string apiKey, HttpClient? httpClient = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        var options = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        if (httpClient is not null)
        {
            options.Transport = new HttpClientPipelineTransport(httpClient);
        }

        return new ChatClient("pipeline", new ApiKeyCredential(apiKey), options).Pipeline;
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatCompletion completion = await ClientFor(options).CompleteChatAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken);
        return FromOpenAI(completion);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Server-sent events: text arrives as it is generated; tool-call deltas are assembled and yielded as
    /// whole calls when the stream ends, followed by the usage the provider reports in its last chunk.
    /// </remarks>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var calls = new SortedDictionary<int, (string? Id, string? Name, System.Text.StringBuilder Arguments)>();
        string? responseId = null;
        string? modelId = null;
        UsageDetails? usage = null;
        AIFinishReason? finish = null;
        await foreach (var update in ClientFor(options).CompleteChatStreamingAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken))
        {
            responseId ??= update.CompletionId;
            modelId ??= update.Model;
            finish = FinishReason(update.FinishReason) ?? finish;
            usage = update.Usage is { } u ? Usage(u) : usage;
            foreach (var delta in update.ToolCallUpdates)
            {
                var entry = calls.TryGetValue(delta.Index, out var existing) ? existing : (null, null, new System.Text.StringBuilder());
                entry.Id ??= delta.ToolCallId;
                entry.Name ??= delta.FunctionName;
                if (delta.FunctionArgumentsUpdate is { } part && !part.ToMemory().IsEmpty)
                {
                    entry.Arguments.Append(part.ToString());
                }

                calls[delta.Index] = entry;
            }

            var text = string.Concat(update.ContentUpdate.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
            if (text.Length > 0)
            {
                yield return new ChatResponseUpdate(AIChatRole.Assistant, text) { ResponseId = responseId, MessageId = responseId, ModelId = modelId };
            }
        }

        var final = new List<AIContent>();
        foreach (var (_, call) in calls)
        {
            final.Add(ParseCall(call.Id ?? string.Empty, call.Name ?? string.Empty, BinaryData.FromString(call.Arguments.Length == 0 ? "{}" : call.Arguments.ToString())));
        }

        if (usage is not null)
        {
            final.Add(new UsageContent(usage));
        }

        yield return new ChatResponseUpdate(AIChatRole.Assistant, final) { ResponseId = responseId, MessageId = responseId, ModelId = modelId, FinishReason = finish };
    }

    private ChatClient ClientFor(ChatOptions? options) =>
        options?.ModelId is { Length: > 0 } model ? _clients.GetOrAdd(model, _clientFor) : _client;

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
        if (options.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } json)
        {
            result.ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "answer", BinaryData.FromString(schema.GetRawText()), json.SchemaDescription);
        }

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
            FinishReason = FinishReason(completion.FinishReason),
            Usage = completion.Usage is { } usage ? Usage(usage) : null,
            RawRepresentation = completion,
        };
    }

    private static FunctionCallContent ParseCall(ChatToolCall call) => ParseCall(call.Id, call.FunctionName, call.FunctionArguments);

    private static FunctionCallContent ParseCall(string id, string name, BinaryData arguments)
    {
        try
        {
            return new FunctionCallContent(id, name, JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments, AgentJson.Options));
        }
        catch (JsonException ex)
        {
            // Malformed arguments are the model's mistake: the run shows it to the model as an error.
            return new FunctionCallContent(id, name) { Exception = ex };
        }
    }

    private static AIFinishReason? FinishReason(OpenAI.Chat.ChatFinishReason? reason) => reason switch
    {
        OpenAI.Chat.ChatFinishReason.Stop => AIFinishReason.Stop,
        OpenAI.Chat.ChatFinishReason.Length => AIFinishReason.Length,
        OpenAI.Chat.ChatFinishReason.ToolCalls or OpenAI.Chat.ChatFinishReason.FunctionCall => AIFinishReason.ToolCalls,
        OpenAI.Chat.ChatFinishReason.ContentFilter => AIFinishReason.ContentFilter,
        _ => null,
    };

    private static UsageDetails Usage(ChatTokenUsage usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
        ReasoningTokenCount = usage.OutputTokenDetails?.ReasoningTokenCount,
    };

    /// <summary>The SDK's chat client on a given pipeline (the SDK offers that constructor to subclasses).</summary>
    private sealed class PipelineChatClient(ClientPipeline pipeline, string model, OpenAIClientOptions options) : ChatClient(pipeline, model, options);
}
