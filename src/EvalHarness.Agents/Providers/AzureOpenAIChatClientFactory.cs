using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Providers;

/// <summary>
/// An <see cref="IChatClient"/> over the official Azure OpenAI SDK (<c>Azure.AI.OpenAI</c>), for a deployment at a
/// resource's endpoint (the cassette server included): <c>POST {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…</c>
/// with the key in the <c>api-key</c> header.
/// </summary>
/// <remarks>
/// Only through Microsoft.Extensions.AI.OpenAI's <c>AsIChatClient()</c>: Azure.AI.OpenAI 2.1.0's own chat client
/// calls an internal member of the OpenAI package that 2.15.0 no longer has (MissingMethodException), and the adapter
/// does not go through it. As with OpenAI, the SDK's own retries are off: retries are the runtime's, visible in its trace.
/// </remarks>
public static class AzureOpenAIChatClientFactory
{
    /// <summary>Creates a client for <paramref name="deployment"/>; the SDK appends <c>openai/deployments/…</c> to <paramref name="endpoint"/>.</summary>
    public static IChatClient Create(Uri endpoint, string apiKey, string deployment, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        var options = new AzureOpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        if (httpClient is not null)
        {
            options.Transport = new HttpClientPipelineTransport(httpClient);
        }

        return new AzureOpenAIClient(endpoint, new ApiKeyCredential(apiKey), options).GetChatClient(deployment).AsIChatClient();
    }
}
