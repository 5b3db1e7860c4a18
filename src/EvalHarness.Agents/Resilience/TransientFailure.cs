using System.ClientModel;
using System.Globalization;
using System.Net;
using Anthropic.Exceptions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace EvalHarness.Agents.Resilience;

/// <summary>Decides which model-call failures are worth retrying, and what the provider asked us to wait.</summary>
public static class TransientFailure
{
    /// <summary>
    /// True for 408, 429 and 5xx answers, timeouts and dropped connections; never for other 4xx, and never for an answer
    /// that says <c>x-should-retry: false</c> (the header the official SDKs read before their status rules, which the
    /// cassette server sends with every miss: asking again would get the same answer).
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ClientResultException e when ShouldRetryHeader(e) is { } told => told,
        ClientResultException { Status: 408 or 429 or >= 500 } => true,
        ClientResultException { Status: 0 } e => e.InnerException is HttpRequestException or IOException or TimeoutException,
        ClientResultException => false,
        // The Anthropic SDK keeps the status and body but not the headers: a miss is known by its error type.
        AnthropicApiException e when e.ResponseBody.Contains(CassetteErrorTypePrefix, StringComparison.Ordinal) => false,
        AnthropicApiException { StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests } => true,
        AnthropicApiException e => (int)e.StatusCode >= 500,
        AnthropicIOException => true,
        BrokenCircuitException => false,
        // A client that keeps only the status (OllamaSharp, for any error but a 400): the same rules as a status.
        HttpRequestException { StatusCode: { } status } => (int)status is 408 or 429 or >= 500,
        TimeoutRejectedException or TimeoutException or HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// The start of the cassette server's error types: <c>cassette_miss</c> and <c>cassette_request_rejected</c>
    /// (<c>{"error":{"type":"cassette_miss",…}}</c>), each as final as its <c>x-should-retry: false</c> says.
    /// </summary>
    private const string CassetteErrorTypePrefix = "\"cassette_";

    private static bool? ShouldRetryHeader(ClientResultException exception) =>
        exception.GetRawResponse()?.Headers.TryGetValue("x-should-retry", out var value) == true
            ? value switch
            {
                "true" => true,
                "false" => false,
                _ => null,
            }
            : null;

    /// <summary>The delay a <c>Retry-After</c> (seconds or HTTP date) or <c>retry-after-ms</c> header asks for, if any.</summary>
    public static TimeSpan? RetryAfter(Exception exception, DateTimeOffset now)
    {
        if (exception is not ClientResultException result || result.GetRawResponse() is not { } response)
        {
            return null;
        }

        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
        {
            return TimeSpan.FromMilliseconds(Math.Max(0, millis));
        }

        if (!response.Headers.TryGetValue("retry-after", out var value) || value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at - now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }
}
