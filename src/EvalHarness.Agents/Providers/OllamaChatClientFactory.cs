using Microsoft.Extensions.AI;
using OllamaSharp;

namespace EvalHarness.Agents.Providers;

/// <summary>
/// An <see cref="IChatClient"/> over OllamaSharp's <see cref="OllamaApiClient"/> (Ollama's native <c>api/chat</c>), pointed at
/// any base URL: a local Ollama (<c>http://127.0.0.1:11434/</c>) or a cassette (<c>…/c/&lt;id&gt;/</c>). Ollama needs no key.
/// </summary>
/// <remarks>
/// OllamaSharp resolves <c>api/chat</c> against its base URL as a relative URL, so a base without a trailing slash loses
/// its last segment (<c>…/c/suite/v/case/t1</c> would call <c>…/c/suite/v/case/api/chat</c>): the slash is added here.
/// </remarks>
public static class OllamaChatClientFactory
{
    /// <summary>Creates a client for <paramref name="model"/> (<c>llama3.2</c>); OllamaSharp appends <c>api/chat</c> to <paramref name="baseAddress"/>.</summary>
    /// <param name="baseAddress">The server's (or the cassette's) address.</param>
    /// <param name="model">The model's name on the server.</param>
    /// <param name="httpClient">The HTTP client to send through (its own base address is not used), or null for one of OllamaSharp's.</param>
    public static IChatClient Create(Uri baseAddress, string model, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrEmpty(model);
        var address = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        if (httpClient is null)
        {
            return new OllamaApiClient(address, model);
        }

        // OllamaSharp takes its base address from the HttpClient it is given: a client of its own with that address,
        // sending through the one given (its handler, its time-out), which it must not dispose.
        var own = new HttpClient(new Forwarder(httpClient)) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        return new Owning(new OllamaApiClient(own, model), own);
    }

    /// <summary>
    /// Sends every request through another <see cref="HttpClient"/>, its answer's body read as it arrives. A request
    /// message goes through one HttpClient only: the other gets a copy (same method, address, headers and body).
    /// </summary>
    private sealed class Forwarder(HttpClient inner) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy, Content = request.Content };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            var response = await inner.SendAsync(copy, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.RequestMessage = request;
            return response;
        }
    }

    /// <summary>The client, and the HttpClient made for it, disposed together.</summary>
    private sealed class Owning(IChatClient inner, HttpClient owned) : DelegatingChatClient(inner)
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                owned.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
