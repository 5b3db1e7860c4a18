using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Providers;

/// <summary>
/// An <see cref="IChatClient"/> over Gemini's native REST API (<c>models/&lt;model&gt;:generateContent</c> and
/// <c>:streamGenerateContent?alt=sse</c>), for any base URL (the cassette server included): no .NET SDK for Gemini is
/// served here, so this is the harness's own, small and over the documented wire format only. Function calls map to
/// <see cref="FunctionCallContent"/> and <see cref="FunctionResultContent"/>, <c>usageMetadata</c> to
/// <see cref="UsageDetails"/>; the key goes in the <c>x-goog-api-key</c> header, never the URL.
/// </summary>
/// <remarks>
/// Built on System.ClientModel's pipeline, as the OpenAI SDK is, with no retries of its own (retries are the runtime's,
/// visible in its trace): an error answer is a <see cref="ClientResultException"/> with the status, headers and body,
/// so the runtime reads a cassette miss's <c>x-should-retry: false</c> as it does for OpenAI's.
/// </remarks>
public sealed class GeminiChatClient : IChatClient
{
    /// <summary>The start of a call id the client made up for a call Gemini gave none: it is not sent back.</summary>
    private const string MadeUpId = "gemini-call:";

    private const string ThoughtSignature = "thoughtSignature";

    private static JsonSerializerOptions Json => AIJsonUtilities.DefaultOptions;

    private readonly ClientPipeline _pipeline;
    private readonly Uri _baseAddress;
    private readonly string _model;
    private readonly string _apiVersion;
    private readonly ChatClientMetadata _metadata;

    /// <summary>
    /// Creates a client for <paramref name="model"/> (<c>gemini-2.0-flash</c>); requests go to
    /// <paramref name="baseAddress"/> + <c>v1beta/models/&lt;model&gt;:generateContent</c>, as <c>@google/genai</c> builds them.
    /// </summary>
    /// <param name="baseAddress"><c>https://generativelanguage.googleapis.com/</c>, or a cassette's address.</param>
    /// <param name="apiKey">The key, sent as <c>x-goog-api-key</c>.</param>
    /// <param name="model">The model, which <see cref="ChatOptions.ModelId"/> can override per call.</param>
    /// <param name="httpClient">The HTTP client to send with, or null for the pipeline's own.</param>
    /// <param name="apiVersion">The API version segment: <c>v1beta</c> (function calling, system instructions) or <c>v1</c>.</param>
    public GeminiChatClient(Uri baseAddress, string apiKey, string model, HttpClient? httpClient = null, string apiVersion = "v1beta")
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentException.ThrowIfNullOrEmpty(apiVersion);
        var options = new ClientPipelineOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        if (httpClient is not null)
        {
            options.Transport = new HttpClientPipelineTransport(httpClient);
        }

        _pipeline = ClientPipeline.Create(options, [ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(new ApiKeyCredential(apiKey), "x-goog-api-key")], [], []);
        _baseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _model = model;
        _apiVersion = apiVersion;
        _metadata = new ChatClientMetadata("gemini", baseAddress, model);
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var message = await SendAsync(messages, options, stream: false, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(message.Response!.Content.ToMemory());
        var root = document.RootElement;
        var (contents, finish) = ReadCandidate(root);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { RawRepresentation = root.Clone() })
        {
            ResponseId = Str(root, "responseId"),
            ModelId = Str(root, "modelVersion") ?? options?.ModelId ?? _model,
            FinishReason = finish is null ? null : FinishReason(finish, contents),
            Usage = Usage(root),
            RawRepresentation = root.Clone(),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var message = await SendAsync(messages, options, stream: true, cancellationToken).ConfigureAwait(false);
        using var body = message.Response!.ContentStream!;
        UsageDetails? usage = null;
        string? responseId = null, model = null;
        var calls = 0;
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            using var document = JsonDocument.Parse(item.Data);
            var root = document.RootElement;
            if (root.TryGetProperty("error", out _))
            {
                throw new ClientResultException($"Gemini ended the stream with an error: {item.Data}");
            }

            // Every chunk's usage is the running total: the last one is the answer's, given once at the end.
            usage = Usage(root) ?? usage;
            responseId ??= Str(root, "responseId");
            model ??= Str(root, "modelVersion");
            var (contents, finish) = ReadCandidate(root, calls);
            calls += contents.OfType<FunctionCallContent>().Count();
            yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = model ?? options?.ModelId ?? _model,
                FinishReason = finish is null ? null : FinishReason(finish, contents, calls),
                RawRepresentation = root.Clone(),
            };
        }

        if (usage is not null)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)]) { ResponseId = responseId, MessageId = responseId, ModelId = model ?? _model };
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private async Task<PipelineMessage> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream, CancellationToken cancellationToken)
    {
        // Google's SDKs take "models/gemini-2.0-flash" as well as "gemini-2.0-flash".
        var model = (options?.ModelId ?? _model) is var id && id.StartsWith("models/", StringComparison.Ordinal) ? id["models/".Length..] : id;
        var method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
        var message = _pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(_baseAddress, $"{_apiVersion}/models/{Uri.EscapeDataString(model)}:{method}");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromString(GeminiRequest.Build(messages, options).ToJsonString()));
        message.BufferResponse = !stream;
        message.Apply(new RequestOptions { CancellationToken = cancellationToken });
        try
        {
            await _pipeline.SendAsync(message).ConfigureAwait(false);
            if (message.Response!.IsError)
            {
                if (stream)
                {
                    await message.Response.BufferContentAsync(cancellationToken).ConfigureAwait(false);
                }

                throw await ClientResultException.CreateAsync(message.Response).ConfigureAwait(false);
            }
        }
        catch
        {
            message.Dispose();
            throw;
        }

        return message;
    }

    /// <summary>The contents of candidate 0 (text, thoughts, calls) and its finish reason.</summary>
    private static (List<AIContent> Contents, string? Finish) ReadCandidate(JsonElement root, int callsBefore = 0)
    {
        var contents = new List<AIContent>();
        if (!root.TryGetProperty("candidates", out var candidates) || candidates.ValueKind != JsonValueKind.Array || candidates.GetArrayLength() == 0)
        {
            return (contents, null);
        }

        var candidate = candidates[0];
        if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in parts.EnumerateArray())
            {
                AIContent? item = null;
                if (part.TryGetProperty("functionCall", out var call))
                {
                    var name = Str(call, "name") ?? string.Empty;
                    var arguments = call.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object
                        ? args.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                        : new Dictionary<string, object?>(StringComparer.Ordinal);
                    item = new FunctionCallContent(Str(call, "id") ?? $"{MadeUpId}{callsBefore + contents.OfType<FunctionCallContent>().Count()}:{name}", name, arguments);
                }
                else if (Str(part, "text") is { } text)
                {
                    item = part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True ? new TextReasoningContent(text) : new TextContent(text);
                }

                if (item is null)
                {
                    continue;
                }

                item.RawRepresentation = part.Clone();
                if (Str(part, ThoughtSignature) is { } signature)
                {
                    (item.AdditionalProperties ??= [])[ThoughtSignature] = signature;
                }

                contents.Add(item);
            }
        }

        return (contents, Str(candidate, "finishReason"));
    }

    private static ChatFinishReason FinishReason(string reason, List<AIContent> contents, int calls = 0) => reason switch
    {
        "STOP" when calls > 0 || contents.OfType<FunctionCallContent>().Any() => ChatFinishReason.ToolCalls,
        "STOP" => ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    /// <summary><c>usageMetadata</c>: thinking tokens are output, billed as such, and also given as reasoning tokens.</summary>
    private static UsageDetails? Usage(JsonElement root)
    {
        if (!root.TryGetProperty("usageMetadata", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        long? Count(string name) => usage.TryGetProperty(name, out var n) && n.TryGetInt64(out var v) ? v : null;
        var output = (Count("candidatesTokenCount") ?? 0) + (Count("thoughtsTokenCount") ?? 0);
        return new UsageDetails
        {
            InputTokenCount = Count("promptTokenCount"),
            OutputTokenCount = output,
            TotalTokenCount = Count("totalTokenCount"),
            CachedInputTokenCount = Count("cachedContentTokenCount"),
            ReasoningTokenCount = Count("thoughtsTokenCount"),
        };
    }

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The body of a <c>generateContent</c> request, from messages and options.</summary>
    private static class GeminiRequest
    {
        public static JsonObject Build(IEnumerable<ChatMessage> messages, ChatOptions? options)
        {
            var list = messages.ToList();
            var body = new JsonObject();
            var contents = new JsonArray();
            var system = new JsonArray();
            var names = list.SelectMany(m => m.Contents).OfType<FunctionCallContent>().GroupBy(c => c.CallId).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
            if (options?.Instructions is { Length: > 0 } instructions)
            {
                system.Add(new JsonObject { ["text"] = instructions });
            }

            foreach (var message in list)
            {
                if (message.Role == ChatRole.System)
                {
                    system.Add(new JsonObject { ["text"] = message.Text });
                    continue;
                }

                var parts = new JsonArray();
                foreach (var content in message.Contents)
                {
                    if (Part(content, names) is { } part)
                    {
                        parts.Add(part);
                    }
                }

                if (parts.Count > 0)
                {
                    contents.Add(new JsonObject { ["parts"] = parts, ["role"] = message.Role == ChatRole.Assistant ? "model" : "user" });
                }
            }

            body["contents"] = contents;
            if (system.Count > 0)
            {
                body["systemInstruction"] = new JsonObject { ["parts"] = system };
            }

            if (options?.Tools?.OfType<AIFunctionDeclaration>().ToList() is { Count: > 0 } functions)
            {
                var declarations = new JsonArray();
                foreach (var function in functions)
                {
                    var declaration = new JsonObject { ["name"] = function.Name };
                    if (!string.IsNullOrEmpty(function.Description))
                    {
                        declaration["description"] = function.Description;
                    }

                    declaration["parametersJsonSchema"] = JsonNode.Parse(function.JsonSchema.GetRawText());
                    declarations.Add(declaration);
                }

                body["tools"] = new JsonArray { new JsonObject { ["functionDeclarations"] = declarations } };
                if (ToolConfig(options.ToolMode) is { } mode)
                {
                    body["toolConfig"] = new JsonObject { ["functionCallingConfig"] = mode };
                }
            }

            if (GenerationConfig(options) is { Count: > 0 } config)
            {
                body["generationConfig"] = config;
            }

            return body;
        }

        private static JsonObject? Part(AIContent content, Dictionary<string, string> names)
        {
            JsonObject? part = content switch
            {
                TextContent { Text.Length: > 0 } text => new JsonObject { ["text"] = text.Text },
                FunctionCallContent call => new JsonObject { ["functionCall"] = Call(call) },
                FunctionResultContent result => new JsonObject { ["functionResponse"] = Response(result, names) },
                _ => null,
            };
            if (part is not null && content.AdditionalProperties?.TryGetValue(ThoughtSignature, out var signature) == true && signature is string s)
            {
                part[ThoughtSignature] = s;
            }

            return part;
        }

        private static JsonObject Call(FunctionCallContent call)
        {
            var node = new JsonObject();
            if (!call.CallId.StartsWith(MadeUpId, StringComparison.Ordinal))
            {
                node["id"] = call.CallId;
            }

            node["name"] = call.Name;
            node["args"] = call.Arguments is null ? new JsonObject() : JsonSerializer.SerializeToNode(call.Arguments, Json.GetTypeInfo(typeof(IDictionary<string, object?>)));
            return node;
        }

        /// <summary>A result as Gemini's convention has it: <c>{"result": …}</c>, or <c>{"error": …}</c> for a function that threw.</summary>
        private static JsonObject Response(FunctionResultContent result, Dictionary<string, string> names)
        {
            var node = new JsonObject();
            if (!result.CallId.StartsWith(MadeUpId, StringComparison.Ordinal))
            {
                node["id"] = result.CallId;
            }

            node["name"] = names.TryGetValue(result.CallId, out var name) ? name
                : result.CallId.StartsWith(MadeUpId, StringComparison.Ordinal) ? result.CallId[(result.CallId.IndexOf(':', MadeUpId.Length) + 1)..]
                : result.CallId;
            node["response"] = result.Exception is { } exception
                ? new JsonObject { ["error"] = exception.Message }
                : new JsonObject { ["result"] = result.Result is null ? null : JsonSerializer.SerializeToNode(result.Result, Json.GetTypeInfo(result.Result.GetType())) };
            return node;
        }

        private static JsonObject? ToolConfig(ChatToolMode? mode) => mode switch
        {
            NoneChatToolMode => new JsonObject { ["mode"] = "NONE" },
            RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject { ["mode"] = "ANY", ["allowedFunctionNames"] = new JsonArray { name } },
            RequiredChatToolMode => new JsonObject { ["mode"] = "ANY" },
            _ => null,
        };

        private static JsonObject? GenerationConfig(ChatOptions? options)
        {
            if (options is null)
            {
                return null;
            }

            var config = new JsonObject();
            void Set(string name, JsonNode? value)
            {
                if (value is not null)
                {
                    config[name] = value;
                }
            }

            Set("temperature", options.Temperature);
            Set("topP", options.TopP);
            Set("topK", options.TopK);
            Set("maxOutputTokens", options.MaxOutputTokens);
            Set("seed", options.Seed);
            Set("presencePenalty", options.PresencePenalty);
            Set("frequencyPenalty", options.FrequencyPenalty);
            if (options.StopSequences is { Count: > 0 } stops)
            {
                config["stopSequences"] = new JsonArray([.. stops.Select(s => (JsonNode?)s)]);
            }

            if (options.ResponseFormat is ChatResponseFormatJson json)
            {
                config["responseMimeType"] = "application/json";
                if (json.Schema is { } schema)
                {
                    config["responseJsonSchema"] = JsonNode.Parse(schema.GetRawText());
                }
            }

            return config;
        }
    }
}
