using Anthropic;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Providers;

/// <summary>An <see cref="IChatClient"/> over the official Anthropic SDK, pointed at any base URL (the cassette server included).</summary>
/// <remarks>As with OpenAI, the SDK's own retries are off: retries are the runtime's, visible in its trace.</remarks>
public static class AnthropicChatClientFactory
{
    /// <summary>Creates a client for <paramref name="model"/>; the SDK appends <c>/v1/messages</c> to <paramref name="baseAddress"/>.</summary>
    public static IChatClient Create(Uri baseAddress, string apiKey, string model, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(model);
        var client = httpClient is null
            ? new AnthropicClient { ApiKey = apiKey, BaseUrl = baseAddress.ToString().TrimEnd('/'), MaxRetries = 0 }
            : new AnthropicClient { ApiKey = apiKey, BaseUrl = baseAddress.ToString().TrimEnd('/'), MaxRetries = 0, HttpClient = httpClient };
        return client.AsIChatClient(model);
    }
}
