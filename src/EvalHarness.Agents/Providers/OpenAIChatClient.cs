using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace EvalHarness.Agents.Providers;

/// <summary>
/// An <see cref="IChatClient"/> over the official OpenAI SDK, for any OpenAI-compatible endpoint (the cassette server
/// included): Microsoft.Extensions.AI.OpenAI's adapter (<c>AsIChatClient</c>), one per model a call names in
/// <see cref="ChatOptions.ModelId"/> (a summary model beside the agent's), all on one SDK pipeline.
/// </summary>
/// <remarks>
/// The SDK's own retries are turned off: a retry is a behaviour of the runtime, visible in its trace, and a replayed
/// cassette must see exactly the requests the agent made.
/// </remarks>
public sealed class OpenAIChatClient : IChatClient
{
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);
    private readonly Func<string, IChatClient> _create;
    private readonly ChatClientMetadata _metadata;
    private readonly string _model;

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
        _create = m => new PipelineChatClient(pipeline, m, options).AsIChatClient();
        _model = model;
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
    public Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ClientFor(options).GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ClientFor(options).GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : ClientFor(null).GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    /// <summary>The adapter for the call's model: <see cref="ChatOptions.ModelId"/> when set, else the client's own.</summary>
    private IChatClient ClientFor(ChatOptions? options) => _clients.GetOrAdd(options?.ModelId ?? _model, _create);

    /// <summary>The SDK's chat client on a shared pipeline (its constructor for this is protected).</summary>
    private sealed class PipelineChatClient(ClientPipeline pipeline, string model, OpenAIClientOptions options) : ChatClient(pipeline, model, options);
}
